import type { Span } from "@gloss/shared";
import { getSchema } from "@tiptap/core";
import type { Decoration, DecorationSet } from "@tiptap/pm/view";
import { describe, expect, test } from "vitest";
import { type DecorationContext, SpanDecorations, spanDecorations } from "./decorations";
import { labelLooks } from "./labelStyle";
import { textSchemaExtensions } from "./schema";
import { buildPmDoc, layoutText, offsetToPos } from "./textLayout";

const schema = getSchema(textSchemaExtensions);
const labels = [
  { id: 1, projectId: 1, name: "claim", color: "#0072b2", hotkey: "1", description: "", order: 0 },
  { id: 2, projectId: 1, name: "denial", color: "#d55e00", hotkey: "2", description: "", order: 1 },
];

function setup(text: string, filter: ReadonlySet<number> | null = null) {
  const layout = layoutText(text);
  const ctx: DecorationContext = {
    layout,
    labels: labelLooks(labels),
    showAuthors: false,
    users: undefined,
    labelFilter: filter,
  };
  return { layout, ctx, doc: buildPmDoc(schema, text) };
}

const span = (id: string, start: number, end: number, label = 1): Span => ({
  id,
  start,
  end,
  label,
  author: 7,
  createdAt: 0,
});

/** The decorations of a set, as comparable records. */
function records(set: DecorationSet) {
  return set
    .find()
    .map((d) => ({ id: d.spec.spanId as string, from: d.from, to: d.to, marker: !!d.spec.marker }))
    .sort((a, b) => a.from - b.from || a.to - b.to || (a.id < b.id ? -1 : 1));
}

const attrsOf = (d: Decoration) => (d as unknown as { type: { attrs: Record<string, string> } }).type.attrs;

describe("spanDecorations", () => {
  test("a span is an underline wrapper plus a start marker over its first letter, lane and pattern as classes", () => {
    const text = "one\r\ntwo three";
    const { ctx, layout } = setup(text);
    const [wrap, marker] = spanDecorations(span("s", 5, 12, 2), 1, ctx);
    expect([wrap!.from, wrap!.to]).toEqual([offsetToPos(layout, 5), offsetToPos(layout, 12)]);
    expect(attrsOf(wrap!)).toEqual({
      nodeName: "span",
      class: "gl-span gl-lane-1 gl-pat-1",
      style: "--gl-c:#d55e00",
      "data-span-id": "s",
    });
    expect([marker!.from, marker!.to]).toEqual([offsetToPos(layout, 5), offsetToPos(layout, 6)]);
    expect(attrsOf(marker!)).toMatchObject({
      class: "gl-start gl-lane-1",
      "data-start-for": "s",
      "data-tag": "D",
    });
  });

  test("the marker names the label for screen readers, and the author in shared mode", () => {
    const { ctx } = setup("hello world");
    expect(attrsOf(spanDecorations(span("s", 0, 5), 0, ctx)[1]!)["data-name"]).toBe("claim: ");
    const users = new Map([[7, { id: 7, name: "Ada Lovelace", color: "#123456" }]]);
    const shared = attrsOf(spanDecorations(span("s", 0, 5), 0, { ...ctx, showAuthors: true, users })[1]!);
    expect(shared).toMatchObject({ "data-author": "AL", "data-name": "claim by Ada Lovelace: " });
    expect(shared.style).toContain("--gl-ac:#123456");
  });

  test("the marker covers a whole first character: an emoji with its modifier, a letter with its accent", () => {
    const text = "👍🏽 ok e\u0301t";
    const { ctx, layout } = setup(text);
    const [, thumbs] = spanDecorations(span("a", 0, 7), 0, ctx);
    expect(thumbs!.to - thumbs!.from).toBe(4);
    const [, accent] = spanDecorations(span("b", 8, 11), 0, ctx);
    expect([accent!.from, accent!.to]).toEqual([offsetToPos(layout, 8), offsetToPos(layout, 10)]);
  });

  test("a span starting at a line break starts on the next line; one covering only a break draws nothing", () => {
    const { ctx, layout } = setup("ab\ncd");
    expect(spanDecorations(span("nl", 2, 3), 0, ctx)).toHaveLength(0);
    const [wrap] = spanDecorations(span("x", 2, 4), 0, ctx);
    expect([wrap!.from, wrap!.to]).toEqual([offsetToPos(layout, 3), offsetToPos(layout, 4)]);
  });
});

describe("SpanDecorations", () => {
  const text = "The minister said taxes would not rise, officials denied it on Tuesday.";

  test("build draws every span in its lane; overlapping spans get different lanes", () => {
    const { ctx, doc } = setup(text);
    const decos = new SpanDecorations([span("a", 4, 17), span("b", 13, 38), span("c", 40, 55)], ctx);
    const set = decos.build(doc);
    expect(
      records(set)
        .filter((r) => !r.marker)
        .map((r) => r.id),
    ).toEqual(["a", "b", "c"]);
    expect([decos.index.lane("a"), decos.index.lane("b"), decos.index.lane("c")]).toEqual([0, 1, 0]);
  });

  test("an update replaces only the changed span's decorations and those whose lane moved", () => {
    const { ctx, doc } = setup(text);
    const decos = new SpanDecorations([span("a", 4, 17), span("b", 18, 23), span("c", 40, 55)], ctx);
    let set = decos.build(doc);
    const before = new Map(set.find().map((d) => [`${d.spec.spanId}:${d.from}:${d.to}`, d]));

    // A new outer span over a and b takes lane 0 and pushes both to lane 1; c, apart, is untouched.
    const change = decos.update([["n", { start: 4, end: 30, label: 2, author: 7, createdAt: 0 }]]);
    const touched = (ds: Decoration[]) => [...new Set(ds.map((d) => d.spec.spanId))].sort();
    expect(touched(change.add)).toEqual(["a", "b", "n"]);
    expect(touched(change.remove)).toEqual(["a", "b"]);
    set = set.remove(change.remove).add(doc, change.add);
    expect([decos.index.lane("n"), decos.index.lane("a"), decos.index.lane("b")]).toEqual([0, 1, 1]);
    // c's decorations are the very same objects: nothing else was rebuilt.
    for (const d of set.find(40, 55)) {
      if (d.spec.spanId === "c") expect(before.get(`c:${d.from}:${d.to}`)?.spec).toBe(d.spec);
    }
    expect(records(set)).toEqual(records(new SpanDecorations(decos.index.all(), ctx).build(doc)));

    // Deleting it puts the lanes back and removes exactly its decorations and the moved ones.
    const del = decos.update([["n", null]]);
    set = set.remove(del.remove).add(doc, del.add);
    expect(records(set).some((r) => r.id === "n")).toBe(false);
    expect(decos.index.lane("a")).toBe(0);
    expect(records(set)).toEqual(records(new SpanDecorations(decos.index.all(), ctx).build(doc)));
  });

  test("the label filter leaves other labels undrawn, also for later changes", () => {
    const { ctx, doc } = setup(text, new Set([2]));
    const decos = new SpanDecorations([span("a", 4, 17, 1), span("b", 18, 23, 2)], ctx);
    expect(new Set(records(decos.build(doc)).map((r) => r.id))).toEqual(new Set(["b"]));
    expect(decos.update([["c", { start: 40, end: 55, label: 1, author: 7, createdAt: 0 }]]).add).toHaveLength(
      0,
    );
    expect(decos.update([["b", { start: 18, end: 23, label: 1, author: 7, createdAt: 0 }]]).add).toHaveLength(
      0,
    );
  });

  test("only spans in the text window are decorated; moving the window adds and removes the difference", () => {
    const long = "word ".repeat(400);
    const { ctx, doc } = setup(long);
    const spans = Array.from({ length: 100 }, (_, i) => span(`s${i}`, i * 20, i * 20 + 9));
    const decos = new SpanDecorations(spans, ctx, { from: 0, to: 200 });
    let set = decos.build(doc);
    expect(decos.decorated).toBe(10);
    const move = decos.setWindow({ from: 100, to: 400 });
    expect(new Set(move.remove.map((d) => d.spec.spanId))).toEqual(new Set(["s0", "s1", "s2", "s3", "s4"]));
    expect(new Set(move.add.map((d) => d.spec.spanId)).size).toBe(10);
    set = set.remove(move.remove).add(doc, move.add);
    expect(new Set(records(set).map((r) => r.id))).toEqual(new Set(spans.slice(5, 20).map((s) => s.id)));
    // Changes outside the window update lanes but draw nothing.
    expect(
      decos.update([["far", { start: 1900, end: 1950, label: 1, author: 7, createdAt: 0 }]]).add,
    ).toHaveLength(0);
    expect(decos.index.get("far")).toBeDefined();
  });
});
