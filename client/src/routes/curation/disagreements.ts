/**
 * The disagreements of a curation view in reading order, how each reads in words, stepping to the next
 * or previous one (optionally open ones only), and the decision bodies the panel sends.
 */
import type {
  CandidateDto,
  CurationDecisionBody,
  CurationDecisionResultDto,
  DisagreementDto,
  DisagreementKind,
  DocumentCurationDto,
  SiteDto,
} from "@gloss/shared";

export interface DisagreementItem {
  /** 0-based position in reading order. */
  index: number;
  disagreement: DisagreementDto;
  site: SiteDto;
  /** Its candidates, in reading order. */
  candidates: CandidateDto[];
}

/** Every disagreement of the view, in reading order. */
export function listDisagreements(view: DocumentCurationDto): DisagreementItem[] {
  const out: DisagreementItem[] = [];
  for (const site of view.sites) {
    const byKey = new Map(site.candidates.map((c) => [c.key, c]));
    for (const d of site.disagreements) {
      out.push({
        index: out.length,
        disagreement: d,
        site,
        candidates: d.candidates.map((k) => byKey.get(k)).filter((c): c is CandidateDto => !!c),
      });
    }
  }
  return out;
}

/**
 * The key of the disagreement `dir` steps from `current` (wrapping around), skipping resolved ones when
 * `openOnly`; null when there is none. From no current, "next" is the first and "previous" the last.
 */
export function stepDisagreement(
  items: readonly DisagreementItem[],
  current: string | null,
  dir: 1 | -1,
  openOnly: boolean,
): string | null {
  const n = items.length;
  if (n === 0) return null;
  const at = current === null ? -1 : items.findIndex((i) => i.disagreement.key === current);
  const start = at < 0 ? (dir === 1 ? -1 : n) : at;
  for (let k = 1; k <= n; k++) {
    const i = (((start + dir * k) % n) + n) % n;
    const item = items[i]!;
    if (!openOnly || item.disagreement.resolution === "open") return item.disagreement.key;
  }
  return null;
}

const KIND_TEXT: Record<DisagreementKind, string> = {
  missing: "missing",
  boundary: "boundary",
  label: "label",
};

/** The kinds as words: "label + boundary". */
export const kindsText = (kinds: readonly DisagreementKind[]) => kinds.map((k) => KIND_TEXT[k]).join(" + ");

/** What a kind means, for tooltips. */
export const KIND_HINT: Record<DisagreementKind, string> = {
  missing: "some annotators did not mark it",
  boundary: "annotators marked different extents",
  label: "annotators chose different labels",
};

/** The resolution as words. */
export const RESOLUTION_TEXT = { open: "open", gold: "resolved in gold", rejected: "rejected" } as const;

/** The gold span a new version of this disagreement should replace: the first answering gold span that is not `keep`. */
export function replacedGoldSpan(
  d: DisagreementDto,
  goldSpans: ReadonlyArray<{ id: string; start: number; end: number; label: number }>,
  keep?: { start: number; end: number; label: number },
): string | undefined {
  for (const id of d.goldSpanIds) {
    const g = goldSpans.find((s) => s.id === id);
    if (!g) continue;
    if (keep && g.start === keep.start && g.end === keep.end && g.label === keep.label) continue;
    return id;
  }
  return undefined;
}

/**
 * The decision that accepts a candidate (the copy of it in `layer`, else the first annotator's),
 * replacing gold's answer.
 */
export function acceptBody(
  item: DisagreementItem,
  candidate: CandidateDto,
  goldSpans: ReadonlyArray<{ id: string; start: number; end: number; label: number }>,
  layer?: string,
): CurationDecisionBody {
  const who = candidate.annotators.find((a) => a.layer === layer) ?? candidate.annotators[0]!;
  const replaces = replacedGoldSpan(item.disagreement, goldSpans, candidate);
  return {
    action: "accept",
    layer: who.layer as `user-${number}`,
    spanId: who.spanId,
    ...(replaces ? { replaces } : {}),
  };
}

/**
 * A span decision with the site as the view shows it (`expected`, compare-and-set): the server refuses
 * it with 409 `already_decided` if gold over the site changed meanwhile. Relation decisions pass as is.
 */
export function withExpected(body: CurationDecisionBody, site: SiteDto): CurationDecisionBody {
  if (body.action === "accept-relation" || body.action === "remove-relation") return body;
  return { ...body, expected: { start: site.start, end: site.end, version: site.version } };
}

/** A sentence about a decision that went through. */
export function decisionText(r: CurationDecisionResultDto): string {
  const what = r.span
    ? `${r.span.labelName} “${r.span.text}”`
    : r.relation
      ? `relation ${r.relation.type}`
      : "";
  switch (r.action) {
    case "accept":
      return `Accepted ${what} into gold.`;
    case "edit":
      return `Saved your version, ${what}, to gold.`;
    case "reject":
      return `Rejected${r.removed.spans.length ? `; removed ${r.removed.spans.length} gold span(s)` : ""}.`;
    case "unreject":
      return "Rejection undone.";
    case "remove":
      return "Removed from gold.";
    case "accept-relation":
      return `Accepted ${what} into gold.`;
    case "remove-relation":
      return "Relation removed from gold.";
  }
}

/** The versions of a disagreement that one layer (a lane) holds, in the panel's order. */
export const versionsOf = (item: DisagreementItem, layer: string) =>
  item.candidates.filter((c) => c.annotators.some((a) => a.layer === layer));
