/**
 * Auto-merge planning: which agreed versions go into gold. Pure: the caller applies the plan
 * to the live gold Y.Doc, computing it from that doc's state in the same synchronous step so that two
 * curators pressing the button at once cannot both write.
 *
 * An agreed candidate is written unless
 * - gold already has it (same start, end, label)                        → "in-gold"
 * - a curator removed it from gold or rejected it (`s:` key)            → "rejected"
 * - its disagreement was rejected (`d:` key) or gold answers it         → "disagreement-rejected" | "disagreement-resolved"
 * - gold holds a competing version (same extent, or same label overlapping, and not a span the same
 *   annotators marked alongside it, like nested claims)                 → "gold-has-version"
 * - another agreed candidate competes with it (each has a layer the other lacks: possible with a
 *   threshold of half the annotators or less): the curator decides      → "ambiguous"
 * Applying a plan and planning again gives an empty plan: every written span is then "in-gold", and
 * more gold spans only ever add reasons to skip.
 */
import { alignLayers } from "./align";
import { isVersionOf, spanSignature } from "./keys";
import type { AnnotatorLayer, CurationAlignment, CurationSite, GoldState, SpanCandidate } from "./types";

export interface MergeOptions {
  /** Layers that must have exactly the same span (default: all annotator layers). */
  threshold?: number;
  /**
   * Absolute floor on the number of agreeing layers (default 2), so that "all annotators" of a document
   * only one person annotated does not mean "whatever that person marked".
   */
  minAnnotators?: number;
}

export type SkipReason =
  | "in-gold"
  | "rejected"
  | "disagreement-rejected"
  | "disagreement-resolved"
  | "gold-has-version"
  | "ambiguous"
  | "ends-not-in-gold";

export interface PlannedSpan {
  key: string;
  signature: string;
  start: number;
  end: number;
  label: number;
  /** User ids of the layers that had it, ascending. */
  annotators: number[];
}

export interface PlannedRelation {
  key: string;
  /** Signatures of the gold spans it links (existing or planned). */
  from: string;
  to: string;
  type: string;
  annotators: number[];
}

export interface MergePlan {
  /** The number of agreeing layers that was required. */
  required: number;
  annotators: number;
  spans: PlannedSpan[];
  relations: PlannedRelation[];
  skipped: Array<{ key: string; reason: SkipReason }>;
}

/** The number of agreeing layers auto-merge needs among `annotators` layers. */
export function requiredSupport(annotators: number, opts: MergeOptions = {}): number {
  return Math.max(opts.threshold ?? annotators, opts.minAnnotators ?? 2, 1);
}

/** Plans an auto-merge of the annotator layers into gold. */
export function planAutoMerge(
  layers: readonly AnnotatorLayer[],
  gold: GoldState,
  opts: MergeOptions = {},
): MergePlan {
  const annotators = new Set(layers.map((l) => l.layer)).size;
  const required = requiredSupport(annotators, opts);
  const alignment = alignLayers(layers, gold, { threshold: required });
  return planFromAlignment(alignment, gold);
}

/** Plans from an alignment computed with the required threshold (see planAutoMerge). */
export function planFromAlignment(alignment: CurationAlignment, gold: GoldState): MergePlan {
  const plan: MergePlan = {
    required: alignment.threshold,
    annotators: alignment.annotators,
    spans: [],
    relations: [],
    skipped: [],
  };
  for (const site of alignment.sites) {
    const agreed = site.candidates.filter((c) => c.agreed);
    for (const c of agreed) {
      const reason = skipReason(c, site, agreed, gold);
      if (reason) plan.skipped.push({ key: c.key, reason });
      else plan.spans.push(toPlanned(c));
    }
  }

  // relations: both ends must be in gold once the planned spans are written
  const inGold = new Set(gold.spans.map(spanSignature));
  for (const s of plan.spans) inGold.add(s.signature);
  for (const r of alignment.relations) {
    if (!r.agreed) continue;
    const reason =
      r.goldRelationIds.length > 0
        ? "in-gold"
        : r.rejected
          ? "rejected"
          : !inGold.has(r.from) || !inGold.has(r.to)
            ? "ends-not-in-gold"
            : null;
    if (reason) plan.skipped.push({ key: r.key, reason });
    else
      plan.relations.push({
        key: r.key,
        from: r.from,
        to: r.to,
        type: r.type,
        annotators: userIds(r.supporters),
      });
  }
  return plan;
}

function skipReason(
  c: SpanCandidate,
  site: CurationSite,
  agreed: readonly SpanCandidate[],
  gold: GoldState,
): SkipReason | null {
  if (c.goldSpanIds.length > 0) return "in-gold";
  if (c.rejected) return "rejected";
  const d = site.disagreements.find((x) => x.candidates.includes(c.key));
  if (d?.resolution === "rejected") return "disagreement-rejected";
  if (d?.resolution === "gold") return "disagreement-resolved";
  const bySig = new Map(site.candidates.map((o) => [o.signature, o]));
  const goldVersion = gold.spans.some((g) => {
    if (!isVersionOf(g, c)) return false;
    const o = bySig.get(spanSignature(g));
    return !o || competing(o, c); // a curator's own span, or another annotator's version
  });
  if (goldVersion) return "gold-has-version";
  if (agreed.some((o) => o !== c && isVersionOf(o, c) && competing(o, c))) return "ambiguous";
  return null;
}

/** Each of the two has a layer the other lacks: annotators chose one or the other. */
function competing(a: SpanCandidate, b: SpanCandidate): boolean {
  const la = new Set(a.supporters.map((s) => s.layer));
  const lb = new Set(b.supporters.map((s) => s.layer));
  return [...la].some((l) => !lb.has(l)) && [...lb].some((l) => !la.has(l));
}

const userIds = (supporters: readonly { userId: number }[]) =>
  [...new Set(supporters.map((s) => s.userId))].sort((a, b) => a - b);

const toPlanned = (c: SpanCandidate): PlannedSpan => ({
  key: c.key,
  signature: c.signature,
  start: c.start,
  end: c.end,
  label: c.label,
  annotators: userIds(c.supporters),
});
