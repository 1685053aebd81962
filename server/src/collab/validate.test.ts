/**
 * The lean update reader of validate.ts against Yjs' own decoder: for updates of every content kind, it
 * finds the same items (id, length, origins, parent, key, whether deleted or plain JSON and the values).
 */
import { seededRandom } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readItems } from "./validate";

const idOf = (id: { client: number; clock: number } | null) => (id ? [id.client, id.clock] : null);

function viaYjs(update: Uint8Array) {
  return Y.decodeUpdate(update)
    .structs.filter((s): s is Y.Item => s instanceof Y.Item)
    .map((s) => ({
      id: idOf(s.id),
      length: s.length,
      origin: idOf(s.origin),
      rightOrigin: idOf(s.rightOrigin),
      parent: typeof s.parent === "string" ? s.parent : s.parent ? idOf(s.parent as unknown as Y.ID) : null,
      parentSub: s.parentSub,
      kind:
        s.content instanceof Y.ContentDeleted
          ? "deleted"
          : s.content instanceof Y.ContentAny
            ? "any"
            : "other",
      arr: s.content instanceof Y.ContentAny ? s.content.arr : null,
    }));
}
function viaLean(update: Uint8Array) {
  return readItems(update).map((s) => ({
    id: idOf(s.id),
    length: s.length,
    origin: idOf(s.origin),
    rightOrigin: idOf(s.rightOrigin),
    parent: typeof s.parent === "string" ? s.parent : idOf(s.parent),
    parentSub: s.parentSub,
    kind: s.kind,
    arr: s.arr,
  }));
}

describe("readItems", () => {
  it("reads what Yjs reads, for 300 random updates of every content kind", () => {
    const rand = seededRandom(11);
    for (let round = 0; round < 300; round++) {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on("update", (u: Uint8Array) => updates.push(u));
      const map = doc.getMap("spans");
      const text = doc.getText("t");
      const arr = doc.getArray("a");
      for (let i = 0; i < 1 + Math.floor(rand() * 12); i++) {
        const r = rand();
        if (r < 0.35)
          map.set(`k${Math.floor(rand() * 4)}`, { start: i, end: i + 2, label: 1, note: "é😀", n: null });
        else if (r < 0.45) map.delete(`k${Math.floor(rand() * 4)}`);
        else if (r < 0.6) text.insert(Math.floor(rand() * (text.length + 1)), rand() < 0.5 ? "ab😀" : "x");
        else if (r < 0.65) text.format(0, Math.min(1, text.length), { bold: true });
        else if (r < 0.7) text.insertEmbed(0, { img: "x" });
        else if (r < 0.78) arr.push([1, "two", { three: [3] }, new Uint8Array([4])]);
        else if (r < 0.84) map.set("nested", new Y.Map());
        else if (r < 0.88) arr.push([new Y.XmlElement("p"), new Y.XmlText("t")]);
        else if (r < 0.92) arr.push([new Y.Doc()]);
        else if (text.length > 0) text.delete(0, 1);
      }
      const all = Y.mergeUpdates(updates);
      for (const u of [...updates, all]) expect(viaLean(u)).toEqual(viaYjs(u));
    }
  });

  it("reads strings and values as lib0 does: non-ASCII, long, empty keys, nested and binary values", () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => updates.push(u));
    const map = doc.getMap("spans");
    map.set("é-😀-key", { ключ: "значение", "": "", long: "x".repeat(33), mixed: `${"a".repeat(31)}é` });
    map.set("k".repeat(200), {
      nested: { deep: [1, -2, 3.5, 2 ** 40, true, false, null] },
      bin: new Uint8Array([1]),
    });
    map.set("", { u: undefined, s: "\u0000\u007f" });
    doc.getText("t").insert(0, "é".repeat(40));
    for (const u of [...updates, Y.mergeUpdates(updates)]) expect(viaLean(u)).toEqual(viaYjs(u));
  });

  it("throws on a truncated update rather than reading past it", () => {
    const doc = new Y.Doc();
    doc.getMap("spans").set("a", { start: 0, end: 1 });
    const u = Y.encodeStateAsUpdate(doc);
    expect(() => readItems(u.slice(0, u.length - 6))).toThrow();
  });
});
