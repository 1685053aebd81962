import { addSpan, updateSpan } from "@gloss/shared";
import { expect, test } from "vitest";
import * as Y from "yjs";
import { type ReplacedEdit, watchReplacedEdits } from "./conflicts";

const TEXT = "Officials said the bridge is safe.";
const ctx = { text: TEXT, labelIds: new Set([1, 2, 3]) };
const sync = (from: Y.Doc, to: Y.Doc) =>
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));

/** Two replicas holding one span, and what each was told. */
function replicas() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const span = addSpan(a, { start: 15, end: 25, label: 1, author: 1 }, ctx);
  sync(a, b);
  const told = { a: [] as ReplacedEdit[], b: [] as ReplacedEdit[] };
  watchReplacedEdits(a, (e) => told.a.push(e));
  watchReplacedEdits(b, (e) => told.b.push(e));
  return { a, b, id: span.id, told };
}

test("both relabel a span concurrently: only the one whose edit was dropped is told, with both records", () => {
  const { a, b, id, told } = replicas();
  updateSpan(a, id, { label: 2 }, ctx);
  updateSpan(b, id, { label: 3 }, ctx);
  sync(a, b);
  sync(b, a);
  const kept = a.getMap("spans").get(id) as { label: number };
  expect((b.getMap("spans").get(id) as { label: number }).label).toBe(kept.label);
  const [loser, winner, winnerDoc] = kept.label === 2 ? [told.b, told.a, a] : [told.a, told.b, b];
  expect(winner).toEqual([]);
  expect(loser).toHaveLength(1);
  expect(loser[0]!.spanId).toBe(id);
  expect(loser[0]!.theirs.label).toBe(kept.label);
  expect(loser[0]!.mine.label).toBe(kept.label === 2 ? 3 : 2);
  expect(loser[0]!.byClient).toBe(winnerDoc.clientID);
});

test("a later edit made after seeing ours is not reported", () => {
  const { a, b, id, told } = replicas();
  updateSpan(a, id, { label: 2 }, ctx);
  sync(a, b);
  updateSpan(b, id, { label: 3 }, ctx);
  sync(b, a);
  expect((a.getMap("spans").get(id) as { label: number }).label).toBe(3);
  expect(told).toEqual({ a: [], b: [] });
});

test("concurrent identical edits are not reported", () => {
  const { a, b, id, told } = replicas();
  updateSpan(a, id, { label: 2 }, ctx);
  updateSpan(b, id, { label: 2 }, ctx);
  sync(a, b);
  sync(b, a);
  expect(told).toEqual({ a: [], b: [] });
});
