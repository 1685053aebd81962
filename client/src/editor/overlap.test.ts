import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type Interval, layoutOverlaps, SpanIndex } from "./overlap";

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

/** The deepest point of overlap. */
function depth(spans: Interval[]): number {
  let best = 0;
  for (const s of spans)
    best = Math.max(best, spans.filter((o) => o.start <= s.start && o.end > s.start).length);
  return best;
}

const intervals = fc
  .array(fc.tuple(fc.nat(60), fc.integer({ min: 1, max: 20 })), { maxLength: 40 })
  .map((xs) => xs.map(([start, len], i) => ({ id: `s${i}`, start, end: start + len })));

describe("layoutOverlaps", () => {
  test("nested and crossing spans get their own lanes, outer spans nearest the text", () => {
    const lanes = layoutOverlaps([
      { id: "inner", start: 2, end: 4 },
      { id: "outer", start: 0, end: 10 },
      { id: "crossing", start: 8, end: 14 },
      { id: "apart", start: 20, end: 25 },
    ]);
    expect(Object.fromEntries(lanes)).toEqual({ outer: 0, inner: 1, crossing: 1, apart: 0 });
  });

  test("overlapping spans never share a lane; lanes used = deepest overlap", () => {
    fc.assert(
      fc.property(intervals, (spans) => {
        const lanes = layoutOverlaps(spans);
        for (const a of spans)
          for (const b of spans)
            if (a !== b && overlaps(a, b)) expect(lanes.get(a.id)).not.toBe(lanes.get(b.id));
        const used = spans.length ? Math.max(...lanes.values()) + 1 : 0;
        expect(used).toBe(depth(spans));
      }),
    );
  });
});

describe("SpanIndex", () => {
  test("incremental inserts, moves and deletes give the same lanes as a full layout", () => {
    const op = fc.tuple(
      fc.nat(12),
      fc.option(fc.tuple(fc.nat(60), fc.integer({ min: 1, max: 20 })), { nil: null }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const index = new SpanIndex();
        const live = new Map<string, Interval>();
        for (const [n, range] of ops) {
          const id = `s${n}`;
          const before = new Map([...live.keys()].map((k) => [k, index.lane(k)]));
          const next = range ? { id, start: range[0], end: range[0] + range[1] } : null;
          const changed = index.apply(id, next);
          if (next) live.set(id, next);
          else live.delete(id);
          const full = layoutOverlaps([...live.values()]);
          for (const [k, lane] of full) expect(index.lane(k)).toBe(lane);
          // It reports exactly the other spans whose lane moved.
          const moved = [...live.keys()].filter(
            (k) => k !== id && before.has(k) && before.get(k) !== full.get(k),
          );
          expect(new Set(changed)).toEqual(new Set(moved));
          expect(
            index
              .all()
              .map((s) => s.id)
              .sort(),
          ).toEqual([...live.keys()].sort());
        }
      }),
      { numRuns: 200 },
    );
  });

  test("overlapping(), at() and next() answer in reading order", () => {
    const index = new SpanIndex([
      { id: "a", start: 0, end: 30 },
      { id: "b", start: 5, end: 8 },
      { id: "c", start: 12, end: 40 },
      { id: "d", start: 50, end: 52 },
    ]);
    expect(index.overlapping(6, 13).map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect(index.overlapping(30, 50).map((s) => s.id)).toEqual(["c"]);
    expect(index.at(29).map((s) => s.id)).toEqual(["a", "c"]);
    expect(index.next(null, 6, 1)?.id).toBe("c");
    expect(index.next(null, 6, -1)?.id).toBe("b");
    expect(index.next("b", 0, 1)?.id).toBe("c");
    expect(index.next("a", 0, -1)).toBeNull();
    expect(index.next("d", 0, 1)).toBeNull();
  });
});
