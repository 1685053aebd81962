import { listRelations, listSpans, spansOf } from "@gloss/shared";
import { describe, expect, test } from "vitest";
import * as Y from "yjs";
import { LayerWriter } from "./layerWriter";

const TEXT = "The minister said taxes would not rise, officials denied it.";

function writer(doc: Y.Doc, userId: number) {
  return new LayerWriter(doc, {
    text: TEXT,
    userId: () => userId,
    labelIds: () => new Set([1, 2, 3]),
    relationTypes: () => ["attributes"],
  });
}

/** Two replicas of one layer, kept in sync by hand (as the provider would). */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on("update", (u: Uint8Array, origin: unknown) => origin !== "remote" && Y.applyUpdate(b, u, "remote"));
  b.on("update", (u: Uint8Array, origin: unknown) => origin !== "remote" && Y.applyUpdate(a, u, "remote"));
  return { a, b };
}

const summary = (doc: Y.Doc) =>
  listSpans(doc).map((s) => `${TEXT.slice(s.start, s.end)}:${s.label}:${s.author}`);

describe("LayerWriter", () => {
  test("labels snap to words by default, exact on request; an identical span is not doubled", () => {
    const doc = new Y.Doc();
    const w = writer(doc, 1);
    const s = w.label(6, 10, 1, "word");
    expect(TEXT.slice(s!.start, s!.end)).toBe("minister");
    expect(w.label(6, 10, 1, "word")?.id).toBe(s!.id);
    const e = w.label(6, 10, 2, "exact");
    expect(TEXT.slice(e!.start, e!.end)).toBe("nist");
    expect(w.label(3, 4, 1, "word")).toBeNull();
    expect(spansOf(doc).size).toBe(2);
  });

  test("undo and redo affect only this user's own changes, never the other replica's", () => {
    const { a, b } = pair();
    const wa = writer(a, 1);
    const wb = writer(b, 2);
    wa.label(4, 12, 1, "word"); // minister (A)
    wb.label(18, 23, 2, "word"); // taxes (B)
    wa.label(40, 49, 3, "word"); // officials (A)
    expect(summary(a)).toEqual(summary(b));

    expect(wa.undo()).toBe(true);
    expect(summary(b)).toEqual(["minister:1:1", "taxes:2:2"]);
    expect(wa.undo()).toBe(true);
    expect(summary(b)).toEqual(["taxes:2:2"]); // B's span survives everything A undoes
    expect(wa.undo()).toBe(false);

    expect(wa.redo()).toBe(true);
    expect(wa.redo()).toBe(true);
    expect(summary(b)).toEqual(["minister:1:1", "taxes:2:2", "officials:3:1"]);
    expect(wa.redo()).toBe(false);

    expect(wb.undo()).toBe(true); // B's only action
    expect(summary(a)).toEqual(["minister:1:1", "officials:3:1"]);
    expect(wb.undo()).toBe(false);
    wa.destroy();
    wb.destroy();
  });

  test("undo never reverts what another user changed since", () => {
    const { a, b } = pair();
    const wa = writer(a, 1);
    const wb = writer(b, 2);
    const s = wa.label(4, 12, 1, "word")!;
    wb.relabel(s.id, 2); // B relabels A's span
    expect(wa.undo()).toBe(false); // A's insertion was overwritten by B: nothing of A's is left to undo
    expect(summary(a)).toEqual(["minister:2:1"]);
    expect(wb.undo()).toBe(true); // B can undo its relabel
    expect(summary(a)).toEqual(["minister:1:1"]);
    wa.destroy();
    wb.destroy();
  });

  test("moving an edge, notes, relations and deletion (which takes the span's relations along)", () => {
    const doc = new Y.Doc();
    const w = writer(doc, 1);
    const who = w.label(40, 49, 3, "word")!;
    const what = w.label(18, 23, 1, "word")!;
    expect(TEXT.slice(...range(w.moveEdge(what.id, "end", 1, "word")!))).toBe("taxes would");
    expect(TEXT.slice(...range(w.moveEdge(what.id, "start", -1, "word")!))).toBe("said taxes would");
    expect(w.moveEdge(what.id, "start", 1, "character")?.start).toBe(what.start - 5 + 1);
    expect(w.setNote(what.id, "  hedged?  ")?.note).toBe("hedged?");
    expect(w.setNote(what.id, "")?.note).toBeUndefined();
    const rel = w.relate(who.id, what.id, "attributes");
    expect(() => w.relate(who.id, who.id, "attributes")).toThrow(/itself/);
    expect(() => w.relate(who.id, what.id, "nope")).toThrow(/relation type/);
    expect(listRelations(doc).map((r) => r.id)).toEqual([rel.id]);
    expect(w.remove(what.id)).toBe(true);
    expect(listRelations(doc)).toEqual([]);
    w.undo();
    expect(listRelations(doc).map((r) => r.id)).toEqual([rel.id]);
    w.destroy();
  });
});

const range = (s: { start: number; end: number }) => [s.start, s.end] as const;
