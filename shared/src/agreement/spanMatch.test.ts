import { describe, expect, it } from "vitest";
import { compareLayers } from "./f1";

const s = (start: number, end: number, label: number) => ({ start, end, label });

describe("span F1", () => {
  it("counts exact matches once per span, per label, with micro and macro averages", () => {
    const a = [s(0, 5, 1), s(10, 15, 1), s(20, 25, 2), s(20, 25, 2)];
    const b = [s(0, 5, 1), s(10, 14, 1), s(20, 25, 2)];
    const r = compareLayers(a, b, { labels: 2 });
    expect(r.exact.perLabel[1]).toMatchObject({
      tp: 1,
      fp: 1,
      fn: 1,
      precision: 0.5,
      recall: 0.5,
      value: 0.5,
    });
    // the duplicate span in a matches only once
    expect(r.exact.perLabel[2]).toMatchObject({ tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 });
    expect(r.exact.perLabel[2]!.value).toBeCloseTo(2 / 3, 12);
    expect(r.exact.micro).toMatchObject({ tp: 2, fp: 2, fn: 1 });
    expect(r.exact.micro.value).toBeCloseTo(4 / 7, 12);
    expect(r.exact.macro.value).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(r.overlap.perLabel[1]).toMatchObject({ tp: 2, fp: 0, fn: 0, value: 1 });
  });

  it("applies the IoU threshold: [0,10) vs [5,10) has IoU 0.5", () => {
    const a = [s(0, 10, 1)];
    const b = [s(5, 10, 1)];
    expect(compareLayers(a, b, { labels: 1, minIou: 0 }).overlap.micro.tp).toBe(1);
    expect(compareLayers(a, b, { labels: 1, minIou: 0.5 }).overlap.micro.tp).toBe(1);
    expect(compareLayers(a, b, { labels: 1, minIou: 0.51 }).overlap.micro.tp).toBe(0);
    // touching spans do not overlap
    expect(compareLayers([s(0, 5, 1)], [s(5, 9, 1)], { labels: 1 }).overlap.micro.tp).toBe(0);
  });

  it("matches one-to-one, best IoU first", () => {
    // b's [0,10) overlaps a's [0,9) (IoU 0.9) and [8,20) (IoU 0.1): it goes to the better one, the other stays unmatched
    const r = compareLayers([s(0, 9, 1), s(8, 20, 1)], [s(0, 10, 1)], { labels: 1 });
    expect(r.overlap.micro).toMatchObject({ tp: 1, fp: 1, fn: 0 });
  });

  it("builds the label confusion from the spans the label-aware matching left over", () => {
    const a = [s(0, 5, 1), s(10, 15, 2), s(30, 35, 1)];
    const b = [s(0, 5, 1), s(10, 16, 3), s(40, 45, 2)];
    const { confusion } = compareLayers(a, b, { labels: 3 });
    const at = (x: number, y: number) => confusion[x * 4 + y];
    expect(at(1, 1)).toBe(1); // agreed
    expect(at(2, 3)).toBe(1); // a said 2 where b said 3
    expect(at(1, 0)).toBe(1); // a's [30,35) has no counterpart
    expect(at(0, 2)).toBe(1); // b's [40,45) has no counterpart
    expect(confusion.reduce((x, y) => x + y, 0)).toBe(4);
  });

  it("is not computable with no spans at all, and 0 when only one side has spans", () => {
    const none = compareLayers([], [], { labels: 2 });
    expect(none.exact.micro.value).toBeNull();
    expect(none.exact.micro.reason).toMatch(/no spans/);
    expect(none.exact.macro.value).toBeNull();
    const one = compareLayers([s(0, 3, 1)], [], { labels: 2 });
    expect(one.exact.micro).toMatchObject({ value: 0, tp: 0, fp: 1, fn: 0, precision: 0, recall: null });
  });
});
