import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { userLayer } from "../rooms";
import { alignLayers } from "./align";
import { disagreementKey } from "./keys";
import type { AnnotatorLayer, CurationSpan } from "./types";

const CLAIM = 1;
const DENIAL = 2;
const ATTRIBUTION = 3;

let n = 0;
const span = (start: number, end: number, label: number): CurationSpan => ({
  id: `s${++n}`,
  start,
  end,
  label,
});
const layer = (userId: number, spans: CurationSpan[]): AnnotatorLayer => ({
  layer: userLayer(userId),
  userId,
  spans,
});

describe("alignLayers: classification", () => {
  test("agreed, label, boundary and missing sites between two annotators", () => {
    const a = layer(1, [span(0, 5, CLAIM), span(10, 15, CLAIM), span(20, 25, CLAIM), span(30, 35, DENIAL)]);
    const b = layer(2, [span(0, 5, CLAIM), span(10, 15, DENIAL), span(20, 27, CLAIM)]);
    const al = alignLayers([a, b], { spans: [] });
    expect(al.sites.map((s) => [s.start, s.end])).toEqual([
      [0, 5],
      [10, 15],
      [20, 27],
      [30, 35],
    ]);
    const [agreed, label, boundary, missing] = al.sites;
    expect(agreed!.disagreements).toEqual([]);
    expect(agreed!.candidates[0]).toMatchObject({
      key: "s:0:5:1",
      unanimous: true,
      agreed: true,
      support: 2,
    });
    expect(label!.disagreements.map((d) => d.kinds)).toEqual([["label"]]);
    expect(boundary!.disagreements.map((d) => d.kinds)).toEqual([["boundary"]]);
    expect(missing!.disagreements).toMatchObject([{ kinds: ["missing"], missingIn: ["user-2"] }]);
    expect(label!.disagreements[0]!.key).toBe(disagreementKey(["10:15:1", "10:15:2"]));
    expect(al.counts).toMatchObject({ sites: 4, agreed: 1, disagreements: 3, label: 1, boundary: 1 });
    expect(al.counts).toMatchObject({ missing: 1, open: 3, resolved: 0 });
  });

  test("boundary and label combine; a split span is a boundary dispute", () => {
    const al = alignLayers(
      [
        layer(1, [span(0, 5, CLAIM), span(10, 20, CLAIM)]),
        layer(2, [span(0, 6, DENIAL), span(10, 14, CLAIM), span(15, 20, CLAIM)]),
      ],
      { spans: [] },
    );
    expect(al.sites.map((s) => s.disagreements.map((d) => d.kinds))).toEqual([
      [["boundary", "label"]],
      [["boundary"]],
    ]);
  });

  test("an attribution nested in a claim everyone marked is missing, not a label or boundary dispute", () => {
    const al = alignLayers(
      [layer(1, [span(0, 20, CLAIM), span(0, 5, ATTRIBUTION)]), layer(2, [span(0, 20, CLAIM)])],
      { spans: [] },
    );
    expect(al.sites).toHaveLength(1);
    const [site] = al.sites;
    expect(site!.disagreements).toMatchObject([
      { key: "d:0:5:3", kinds: ["missing"], missingIn: ["user-2"] },
    ]);
    // the merged claim does not settle the attribution inside it
    const withGold = alignLayers(
      [layer(1, [span(0, 20, CLAIM), span(0, 5, ATTRIBUTION)]), layer(2, [span(0, 20, CLAIM)])],
      { spans: [{ id: "g1", start: 0, end: 20, label: CLAIM }] },
    );
    expect(withGold.sites[0]!.disagreements[0]!.resolution).toBe("open");
    expect(withGold.sites[0]!.candidates[0]!.goldSpanIds).toEqual(["g1"]);
  });

  test("a layer with no spans at all counts as missing everywhere", () => {
    const al = alignLayers([layer(1, [span(0, 5, CLAIM)]), layer(2, [])], { spans: [] });
    expect(al.annotators).toBe(2);
    expect(al.sites[0]!.disagreements[0]!.kinds).toEqual(["missing"]);
  });

  test("threshold: a majority version is agreed and its dispute is a boundary one", () => {
    const layers = [
      layer(1, [span(0, 5, CLAIM)]),
      layer(2, [span(0, 5, CLAIM)]),
      layer(3, [span(0, 6, CLAIM)]),
    ];
    const al = alignLayers(layers, { spans: [] }, { threshold: 2 });
    expect(al.sites[0]!.candidates.map((c) => [c.key, c.agreed, c.unanimous])).toEqual([
      ["s:0:6:1", false, false],
      ["s:0:5:1", true, false],
    ]);
    expect(al.sites[0]!.disagreements[0]!.kinds).toEqual(["boundary"]);
  });

  test("resolution: gold answers a dispute, a rejected key rejects it", () => {
    const layers = [layer(1, [span(0, 5, CLAIM)]), layer(2, [span(0, 5, DENIAL)])];
    const key = "d:0:5:1|0:5:2";
    expect(alignLayers(layers, { spans: [] }).sites[0]!.disagreements[0]!.resolution).toBe("open");
    const gold = alignLayers(layers, { spans: [{ id: "g", start: 0, end: 6, label: ATTRIBUTION }] });
    expect(gold.sites[0]!.disagreements[0]).toMatchObject({ resolution: "gold", goldSpanIds: ["g"] });
    const rejected = alignLayers(layers, { spans: [], rejected: [key] });
    expect(rejected.sites[0]!.disagreements[0]!.resolution).toBe("rejected");
    expect(rejected.counts).toMatchObject({ resolved: 1, open: 0 });
  });

  test("relations are aligned by the signatures of their ends", () => {
    const a1 = span(0, 5, ATTRIBUTION);
    const a2 = span(6, 10, CLAIM);
    const b1 = span(0, 5, ATTRIBUTION);
    const b2 = span(6, 10, CLAIM);
    const al = alignLayers(
      [
        { ...layer(1, [a1, a2]), relations: [{ id: "r1", from: a1.id, to: a2.id, type: "attributes" }] },
        { ...layer(2, [b1, b2]), relations: [{ id: "r2", from: b1.id, to: b2.id, type: "attributes" }] },
      ],
      { spans: [] },
    );
    expect(al.relations).toMatchObject([
      { key: "r:0:5:3>6:10:1:attributes", support: 2, unanimous: true, agreed: true },
    ]);
  });
});

// ---------- properties ----------
const arbSpan = fc
  .record({
    start: fc.integer({ min: 0, max: 60 }),
    len: fc.integer({ min: 1, max: 12 }),
    label: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ start, len, label }) => ({ start, end: start + len, label }));
const arbLayers = fc.array(fc.array(arbSpan, { maxLength: 8 }), { minLength: 1, maxLength: 4 }).map((ls) =>
  ls.map((spans, i) =>
    layer(
      i + 1,
      spans.map((s, j) => ({ ...s, id: `u${i + 1}-${j}` })),
    ),
  ),
);

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("alignLayers: properties", () => {
  test("identical layers: no disagreements, everything agreed", () => {
    fc.assert(
      fc.property(fc.array(arbSpan, { maxLength: 10 }), fc.integer({ min: 1, max: 5 }), (spans, k) => {
        const layers = Array.from({ length: k }, (_, i) =>
          layer(
            i + 1,
            spans.map((s, j) => ({ ...s, id: `${i}-${j}` })),
          ),
        );
        const al = alignLayers(layers, { spans: [] });
        expect(al.counts.disagreements).toBe(0);
        expect(al.counts.agreed).toBe(al.counts.candidates);
        expect(al.counts.candidates).toBe(new Set(spans.map((s) => `${s.start}:${s.end}:${s.label}`)).size);
      }),
    );
  });

  test("symmetric in the order of annotators and of spans", () => {
    fc.assert(
      fc.property(arbLayers, fc.integer({ min: 0, max: 1e6 }), (layers, seed) => {
        const shuffled = shuffle(layers, seed).map((l, i) => ({ ...l, spans: shuffle(l.spans, seed + i) }));
        expect(alignLayers(shuffled, { spans: [] })).toEqual(alignLayers(layers, { spans: [] }));
      }),
    );
  });

  test("sites are disjoint and ordered; every non-unanimous candidate is in exactly one classified dispute", () => {
    fc.assert(
      fc.property(arbLayers, (layers) => {
        const al = alignLayers(layers, { spans: [] });
        for (let i = 1; i < al.sites.length; i++)
          expect(al.sites[i]!.start).toBeGreaterThanOrEqual(al.sites[i - 1]!.end);
        for (const site of al.sites) {
          const inDisputes = site.disagreements.flatMap((d) => d.candidates);
          expect(new Set(inDisputes).size).toBe(inDisputes.length);
          expect(inDisputes.sort()).toEqual(
            site.candidates
              .filter((c) => !c.unanimous)
              .map((c) => c.key)
              .sort(),
          );
          for (const d of site.disagreements) expect(d.kinds.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
