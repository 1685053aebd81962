/**
 * CurationAlignment of annotator layers for adjudication. Pure: spans in, sites out.
 *
 * - A *candidate* is one distinct version (start, end, label) and the annotator layers that proposed it.
 * - A *site* is a connected component of overlapping candidates across all layers, in reading order.
 * - A candidate is *unanimous* when every annotator layer has it and *agreed* when at least `threshold`
 *   layers have it (default: all, so agreed = unanimous).
 * - Inside a site, the non-unanimous candidates form *disagreements* (connected components of overlap
 *   among them), each classified by kind: `missing` (a layer has no version of a candidate), `boundary`
 *   (a layer's competing version has other boundaries), `label` (a competing version has another label).
 *   A competing version of candidate c in layer L is a candidate that L has, c's layers lack, overlaps c,
 *   and is not had by every layer of c — so a claim everyone marked never "competes" with an attribution
 *   nested in it. Boundary and label combine (e.g. claim 0–5 vs denial 0–6).
 * Everything is ordered deterministically: the result does not depend on the order of layers or spans.
 */

import type { LayerName } from "../rooms";
import { disagreementKey, extentsOverlap, spanKey, spanSignature } from "./keys";
import { answers, byPosition, bySupporter, cmp, components } from "./order";
import { alignRelations } from "./relations";
import type {
  AnnotatorLayer,
  CurationAlignment,
  CurationCounts,
  CurationSite,
  Disagreement,
  DisagreementKind,
  DisagreementResolution,
  GoldState,
  SpanCandidate,
} from "./types";

/**
 * Aligns annotator layers with each other and with gold. `threshold` is the number of layers that must
 * have a version for it to count as agreed (default: all layers).
 */
export function alignLayers(
  layers: readonly AnnotatorLayer[],
  gold: GoldState,
  opts: { threshold?: number } = {},
): CurationAlignment {
  const n = new Set(layers.map((l) => l.layer)).size;
  const threshold = opts.threshold ?? n;
  const rejected = new Set(gold.rejected ?? []);
  const candidates = buildCandidates(layers, gold, rejected, n, threshold);
  const sites = components(candidates).map((members) => buildSite(members, layers, gold, rejected));
  const relations = alignRelations(layers, gold, rejected, n, threshold);

  const ds = sites.flatMap((s) => s.disagreements);
  const counts: CurationCounts = {
    sites: sites.length,
    candidates: candidates.length,
    agreed: candidates.filter((c) => c.agreed).length,
    disagreements: ds.length,
    missing: ds.filter((d) => d.kinds.includes("missing")).length,
    boundary: ds.filter((d) => d.kinds.includes("boundary")).length,
    label: ds.filter((d) => d.kinds.includes("label")).length,
    resolved: ds.filter((d) => d.resolution !== "open").length,
    open: ds.filter((d) => d.resolution === "open").length,
  };
  return { annotators: n, threshold, sites, relations, counts };
}

function buildCandidates(
  layers: readonly AnnotatorLayer[],
  gold: GoldState,
  rejected: ReadonlySet<string>,
  n: number,
  threshold: number,
): SpanCandidate[] {
  const bySig = new Map<string, SpanCandidate>();
  for (const l of layers) {
    for (const s of l.spans) {
      const signature = spanSignature(s);
      let c = bySig.get(signature);
      if (!c) {
        c = {
          key: spanKey(s),
          signature,
          start: s.start,
          end: s.end,
          label: s.label,
          supporters: [],
          support: 0,
          unanimous: false,
          agreed: false,
          goldSpanIds: [],
          rejected: rejected.has(spanKey(s)),
        };
        bySig.set(signature, c);
      }
      c.supporters.push({ layer: l.layer, userId: l.userId, id: s.id });
    }
  }
  for (const g of gold.spans) bySig.get(spanSignature(g))?.goldSpanIds.push(g.id);
  const out = [...bySig.values()];
  for (const c of out) {
    c.supporters.sort(bySupporter);
    c.goldSpanIds.sort(cmp);
    c.support = new Set(c.supporters.map((s) => s.layer)).size;
    c.unanimous = c.support === n;
    c.agreed = c.support >= threshold && c.support > 0;
  }
  return out.sort(byPosition);
}

function buildSite(
  members: SpanCandidate[],
  layers: readonly AnnotatorLayer[],
  gold: GoldState,
  rejected: ReadonlySet<string>,
): CurationSite {
  const start = members[0]!.start;
  const end = Math.max(...members.map((c) => c.end));
  const layersOf = new Map(members.map((c) => [c, new Set(c.supporters.map((s) => s.layer))]));
  const siteSigs = new Set(members.map((c) => c.signature));
  const open = members.filter((c) => !c.unanimous);

  const disagreements = components(open).map((ds): Disagreement => {
    const kinds = new Set<DisagreementKind>();
    const missingIn = new Set<LayerName>();
    for (const c of ds) {
      const own = layersOf.get(c)!;
      for (const l of layers) {
        if (own.has(l.layer)) continue;
        // versions layer l has instead of c: overlapping, and not shared by all of c's layers
        const alternatives = members.filter((o) => {
          if (o === c || !extentsOverlap(o, c)) return false;
          const theirs = layersOf.get(o)!;
          return theirs.has(l.layer) && [...own].some((x) => !theirs.has(x));
        });
        if (alternatives.length === 0) {
          kinds.add("missing");
          missingIn.add(l.layer);
        }
        for (const o of alternatives) {
          if (o.label !== c.label) kinds.add("label");
          if (o.start !== c.start || o.end !== c.end) kinds.add("boundary");
        }
      }
    }
    const mine = new Set(ds.map((c) => c.signature));
    // gold spans answering it: overlapping one of its versions, and not a version from elsewhere in the
    // site (the claim everyone agreed on does not settle the attribution inside it)
    const goldSpanIds = gold.spans
      .filter((g) => {
        const sig = spanSignature(g);
        if (siteSigs.has(sig) && !mine.has(sig)) return false;
        return ds.some((c) => answers(g, c));
      })
      .map((g) => g.id)
      .sort(cmp);
    const key = disagreementKey(ds.map((c) => c.signature));
    const resolution: DisagreementResolution =
      goldSpanIds.length > 0 ? "gold" : rejected.has(key) ? "rejected" : "open";
    return {
      key,
      start: ds[0]!.start,
      end: Math.max(...ds.map((c) => c.end)),
      kinds: (["missing", "boundary", "label"] as const).filter((k) => kinds.has(k)),
      candidates: ds.map((c) => c.key),
      missingIn: [...missingIn].sort(cmp),
      resolution,
      goldSpanIds,
    };
  });
  return { start, end, candidates: members, disagreements };
}
