/** The shapes curation works on and produces (see align.ts for the rules). */
import type { LayerName } from "../rooms";

/** The part of a span the alignment reads. */
export interface CurationSpan {
  id: string;
  start: number;
  end: number;
  label: number;
}

/** The part of a relation the alignment reads. */
export interface CurationRelation {
  id: string;
  from: string;
  to: string;
  type: string;
}

/** One annotator's layer of a document (include layers with no spans: they count as "missing"). */
export interface AnnotatorLayer {
  layer: LayerName;
  userId: number;
  spans: readonly CurationSpan[];
  relations?: readonly CurationRelation[];
}

/** The gold layer as curation sees it. */
export interface GoldState {
  spans: readonly CurationSpan[];
  relations?: readonly CurationRelation[];
  /** Keys of gold's `rejected` map. */
  rejected?: Iterable<string>;
}

export interface CandidateSupporter {
  layer: LayerName;
  userId: number;
  /** The span (or relation) id in that layer. */
  id: string;
}

export interface SpanCandidate {
  /** `s:start:end:label`, also the key a curator's removal records in `rejected`. */
  key: string;
  signature: string;
  start: number;
  end: number;
  label: number;
  /** Who proposed it, ordered by user id, layer, span id. */
  supporters: CandidateSupporter[];
  /** Number of distinct layers that have it. */
  support: number;
  unanimous: boolean;
  agreed: boolean;
  /** Gold spans with exactly this start, end and label. */
  goldSpanIds: string[];
  rejected: boolean;
}

export type DisagreementKind = "missing" | "boundary" | "label";
export type DisagreementResolution = "open" | "gold" | "rejected";

export interface Disagreement {
  /** `d:<signature>|<signature>…`: stable across re-runs while the annotators' versions stay the same. */
  key: string;
  start: number;
  end: number;
  kinds: DisagreementKind[];
  /** Keys of its candidates, in reading order. */
  candidates: string[];
  /** Layers lacking a version of at least one of its candidates. */
  missingIn: LayerName[];
  /** `gold` when a gold span answers it, `rejected` when a curator rejected it, else `open`. */
  resolution: DisagreementResolution;
  /** Gold spans that answer it (overlap one of its candidates and are not another candidate of the site). */
  goldSpanIds: string[];
}

export interface CurationSite {
  start: number;
  end: number;
  candidates: SpanCandidate[];
  disagreements: Disagreement[];
}

export interface RelationCandidate {
  /** `r:<from signature>><to signature>:<type>`. */
  key: string;
  from: string;
  to: string;
  type: string;
  supporters: CandidateSupporter[];
  support: number;
  unanimous: boolean;
  agreed: boolean;
  goldRelationIds: string[];
  rejected: boolean;
}

export interface CurationCounts {
  sites: number;
  candidates: number;
  /** Candidates at least `threshold` layers have. */
  agreed: number;
  disagreements: number;
  missing: number;
  boundary: number;
  label: number;
  resolved: number;
  open: number;
}

export interface CurationAlignment {
  /** Number of annotator layers compared. */
  annotators: number;
  threshold: number;
  sites: CurationSite[];
  relations: RelationCandidate[];
  counts: CurationCounts;
}
