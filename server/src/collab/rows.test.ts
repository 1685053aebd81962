import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { toRelationRow, toSpanRow, toStateRow } from "./rows";

describe("projection rows", () => {
  it("maps layer records and leaves out junk a client may have written", () => {
    expect(toSpanRow("s", { start: 1, end: 4, label: 2, author: 5, createdAt: 10.7, note: "n" })).toEqual({
      spanId: "s",
      start: 1,
      end: 4,
      labelId: 2,
      author: 5,
      note: "n",
      extra: null,
      createdAt: 10,
      updatedAt: null,
    });
    expect(toSpanRow("s", { start: 1, end: 4, label: 2, createdAt: 1, score: 0.5 })?.extra).toBe(
      '{"score":0.5}',
    );
    for (const junk of [
      null,
      3,
      "x",
      [],
      { start: "1", end: 4, label: 2, createdAt: 1 },
      { start: 1, end: 4, label: 2 },
    ])
      expect(toSpanRow("s", junk)).toBeNull();
    expect(
      toRelationRow("r", { from: "a", to: "b", type: "attributes", author: null, createdAt: 3 }),
    ).toEqual({
      relationId: "r",
      fromSpan: "a",
      toSpan: "b",
      type: "attributes",
      author: null,
      createdAt: 3,
    });
    expect(toRelationRow("r", { from: "a", type: "attributes", createdAt: 3 })).toBeNull();
  });

  it("reads a valid layer status only", () => {
    const doc = new Y.Doc();
    const state = doc.getMap<unknown>("state");
    expect(toStateRow(state)).toBeNull();
    state.set("status", "done");
    state.set("setBy", 4);
    state.set("updatedAt", 99);
    expect(toStateRow(state)).toEqual({ status: "done", setBy: 4, updatedAt: 99 });
    state.set("status", "finished");
    expect(toStateRow(state)).toBeNull();
  });
});
