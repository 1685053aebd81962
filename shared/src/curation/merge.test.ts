import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { userLayer } from "../rooms";
import { isVersionOf, spanKey, spanSignature } from "./keys";
import { type MergePlan, planAutoMerge } from "./merge";
import type { AnnotatorLayer, CurationRelation, CurationSpan, GoldState } from "./types";

const CLAIM = 1;
const DENIAL = 2;
const ATTRIBUTION = 3;

const layer = (
  userId: number,
  spans: Array<[number, number, number]>,
  relations: Array<[number, number, string]> = [],
): AnnotatorLayer => {
  const ss = spans.map(([start, end, label], i) => ({ id: `u${userId}s${i}`, start, end, label }));
  return {
    layer: userLayer(userId),
    userId,
    spans: ss,
    relations: relations.map(([f, t, type], i) => ({
      id: `u${userId}r${i}`,
      from: ss[f]!.id,
      to: ss[t]!.id,
      type,
    })),
  };
};

/** Applies a plan to a gold state the way the server does (fresh ids, relations by end signatures). */
function apply(gold: GoldState, plan: MergePlan): GoldState {
  const spans: CurationSpan[] = [...gold.spans];
  for (const s of plan.spans)
    spans.push({ id: `g${spans.length}`, start: s.start, end: s.end, label: s.label });
  const idOf = (sig: string) => spans.find((s) => spanSignature(s) === sig)!.id;
  const relations: CurationRelation[] = [...(gold.relations ?? [])];
  for (const r of plan.relations)
    relations.push({ id: `gr${relations.length}`, from: idOf(r.from), to: idOf(r.to), type: r.type });
  return { spans, relations, rejected: gold.rejected };
}

describe("planAutoMerge", () => {
  const a = layer(1, [
    [0, 5, CLAIM],
    [10, 15, CLAIM],
    [20, 25, CLAIM],
    [30, 35, DENIAL],
  ]);
  const b = layer(2, [
    [0, 5, CLAIM],
    [10, 15, DENIAL],
    [20, 27, CLAIM],
  ]);

  test("writes exactly the spans every annotator has, with who had them", () => {
    const plan = planAutoMerge([a, b], { spans: [] });
    expect(plan).toMatchObject({ required: 2, annotators: 2, relations: [] });
    expect(plan.spans).toEqual([
      { key: "s:0:5:1", signature: "0:5:1", start: 0, end: 5, label: CLAIM, annotators: [1, 2] },
    ]);
  });

  test("re-running writes nothing; a rejected span or dispute never comes back", () => {
    const first = planAutoMerge([a, b], { spans: [] });
    const gold = apply({ spans: [] }, first);
    expect(planAutoMerge([a, b], gold).spans).toEqual([]);
    // a curator removed the merged span: its key is in `rejected`
    const removed = planAutoMerge([a, b], {
      spans: [],
      rejected: [spanKey({ start: 0, end: 5, label: CLAIM })],
    });
    expect(removed.spans).toEqual([]);
    expect(removed.skipped).toEqual([{ key: "s:0:5:1", reason: "rejected" }]);
  });

  test("threshold and minAnnotators", () => {
    const c = layer(3, [
      [0, 5, CLAIM],
      [10, 15, CLAIM],
    ]);
    expect(planAutoMerge([a, b, c], { spans: [] }, { threshold: 2 }).spans.map((s) => s.key)).toEqual([
      "s:0:5:1",
      "s:10:15:1",
    ]);
    // one annotator: "all annotators" is one person, so nothing merges unless asked
    expect(planAutoMerge([a], { spans: [] }).spans).toEqual([]);
    expect(planAutoMerge([a], { spans: [] }, { minAnnotators: 1 }).spans).toHaveLength(4);
  });

  test("a curator's version in gold or a rejected dispute keeps the majority version out", () => {
    const c = layer(3, [[0, 6, CLAIM]]);
    const b2 = layer(2, [[0, 5, CLAIM]]);
    const a2 = layer(1, [[0, 5, CLAIM]]);
    const edited = planAutoMerge(
      [a2, b2, c],
      { spans: [{ id: "g", start: 0, end: 6, label: CLAIM }] },
      { threshold: 2 },
    );
    expect(edited.spans).toEqual([]);
    expect(edited.skipped).toEqual([{ key: "s:0:5:1", reason: "disagreement-resolved" }]);
    const rejected = planAutoMerge([a2, b2, c], { spans: [], rejected: ["d:0:6:1|0:5:1"] }, { threshold: 2 });
    expect(rejected.skipped).toEqual([{ key: "s:0:5:1", reason: "disagreement-rejected" }]);
  });

  test("competing versions that both reach the threshold are left to the curator", () => {
    const plan = planAutoMerge(
      [layer(1, [[0, 5, CLAIM]]), layer(2, [[0, 5, DENIAL]])],
      { spans: [] },
      { threshold: 1, minAnnotators: 1 },
    );
    expect(plan.spans).toEqual([]);
    expect(plan.skipped.map((s) => s.reason)).toEqual(["ambiguous", "ambiguous"]);
  });

  test("relations merge once both ends are (or will be) in gold", () => {
    const x = layer(
      1,
      [
        [0, 5, ATTRIBUTION],
        [6, 10, CLAIM],
      ],
      [[0, 1, "attributes"]],
    );
    const y = layer(
      2,
      [
        [0, 5, ATTRIBUTION],
        [6, 10, CLAIM],
      ],
      [[0, 1, "attributes"]],
    );
    const plan = planAutoMerge([x, y], { spans: [] });
    expect(plan.relations).toEqual([
      {
        key: "r:0:5:3>6:10:1:attributes",
        from: "0:5:3",
        to: "6:10:1",
        type: "attributes",
        annotators: [1, 2],
      },
    ]);
    const gold = apply({ spans: [] }, plan);
    expect(planAutoMerge([x, y], gold)).toMatchObject({ spans: [], relations: [] });
    // one end rejected: the relation waits for it
    const partial = planAutoMerge([x, y], { spans: [], rejected: ["s:6:10:1"] });
    expect(partial.relations).toEqual([]);
    expect(partial.skipped).toContainEqual({ key: "r:0:5:3>6:10:1:attributes", reason: "ends-not-in-gold" });
  });
});

// ---------- properties ----------
const arbSpan = fc.tuple(
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 1, max: 8 }),
  fc.integer({ min: 1, max: 3 }),
);
const arbLayers = fc.array(fc.array(arbSpan, { maxLength: 8 }), { minLength: 1, maxLength: 4 }).map((ls) =>
  ls.map((spans, i) => {
    const l = layer(
      i + 1,
      spans.map(([s, len, label]) => [s, s + len, label]),
    );
    // a relation between the first two spans, when there are two
    return l.spans.length >= 2 && spanSignature(l.spans[0]!) !== spanSignature(l.spans[1]!)
      ? { ...l, relations: [{ id: "r", from: l.spans[0]!.id, to: l.spans[1]!.id, type: "attributes" }] }
      : l;
  }),
);
const arbOpts = fc.record({
  threshold: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  minAnnotators: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
});

describe("planAutoMerge: properties", () => {
  test("idempotent: planning again after applying the plan writes nothing", () => {
    fc.assert(
      fc.property(arbLayers, arbOpts, (layers, opts) => {
        const gold = apply({ spans: [] }, planAutoMerge(layers, { spans: [] }, opts));
        const again = planAutoMerge(layers, gold, opts);
        expect(again.spans).toEqual([]);
        expect(again.relations).toEqual([]);
      }),
    );
  });

  test("never plans a rejected span, nor two versions annotators chose between", () => {
    fc.assert(
      fc.property(arbLayers, arbOpts, fc.array(arbSpan, { maxLength: 4 }), (layers, opts, rej) => {
        const rejected = rej.map(([s, len, label]) => spanKey({ start: s, end: s + len, label }));
        const plan = planAutoMerge(layers, { spans: [], rejected }, opts);
        for (const s of plan.spans) expect(rejected).not.toContain(s.key);
        // two planned versions of one span (nested same-label spans, or one extent under two labels)
        // only when the annotators did not choose between them: one's annotators include the other's
        const within = (x: number[], y: number[]) => x.every((u) => y.includes(u));
        for (const s of plan.spans)
          for (const o of plan.spans)
            if (s !== o && isVersionOf(s, o))
              expect(within(s.annotators, o.annotators) || within(o.annotators, s.annotators)).toBe(true);
      }),
    );
  });

  test("identical layers with enough annotators merge every distinct span", () => {
    fc.assert(
      fc.property(fc.array(arbSpan, { maxLength: 8 }), fc.integer({ min: 2, max: 4 }), (spans, k) => {
        const layers = Array.from({ length: k }, (_, i) =>
          layer(
            i + 1,
            spans.map(([s, len, l]) => [s, s + len, l]),
          ),
        );
        const plan = planAutoMerge(layers, { spans: [] });
        expect(plan.skipped).toEqual([]);
        expect(plan.spans.length).toBe(new Set(spans.map(([s, len, l]) => `${s}:${s + len}:${l}`)).size);
      }),
    );
  });
});
