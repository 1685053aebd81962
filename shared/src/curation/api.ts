/**
 * The curation REST contract (issue 5): request bodies (zod) and response shapes of
 * `/api/documents/:id/curation…` and `/api/projects/:id/curation`. Offsets in responses are code points
 * unless `?offsets=utf16`; keys (`s:`, `d:`, `r:`) are opaque strings to echo back.
 */
import { z } from "zod";
import { AssignmentStatus, type RelationDto, type SpanDto } from "../api";
import type { SpanProvenance } from "../layer";
import type { LayerName } from "../rooms";
import type { SkipReason } from "./merge";
import type { CurationCounts, DisagreementKind, DisagreementResolution } from "./types";

const LayerParam = z
  .string()
  .regex(/^(?:user-[1-9][0-9]{0,15}|shared)$/, "an annotator layer such as user-3");
const Id = z.string().min(1).max(64);
const Key = z.string().min(3).max(100_000);

export const AutoMergeBody = z
  .object({
    threshold: z.number().int().min(1).max(1000).optional(),
    minAnnotators: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
export type AutoMergeBody = z.infer<typeof AutoMergeBody>;

/**
 * The site as the curator saw it: its extent (in the request's offset unit) and its `version` from the
 * view. The server refuses the decision with 409 `already_decided` when gold over that extent changed.
 */
export const ExpectedSite = z
  .object({
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    version: z.string().min(1).max(100),
  })
  .strict();
export type ExpectedSite = z.infer<typeof ExpectedSite>;

/**
 * Compare-and-set fields of every span decision: `expected` (see ExpectedSite) and `replace` — an
 * explicit override: an accepted or edited version replaces the competing gold versions (removed and
 * recorded as rejected) instead of being refused beside them.
 */
const SiteGuard = { expected: ExpectedSite.optional(), replace: z.boolean().optional() };

/** One curator decision; `replaces` removes that gold span and records it as rejected. */
export const CurationDecisionBody = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("accept"),
    layer: LayerParam,
    spanId: Id,
    replaces: Id.optional(),
    ...SiteGuard,
  }),
  z.object({
    action: z.literal("edit"),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    label: z.union([z.number().int(), z.string().min(1)]),
    note: z.string().max(10_000).optional(),
    replaces: Id.optional(),
    ...SiteGuard,
  }),
  z.object({ action: z.literal("reject"), key: Key, removeGold: z.boolean().optional(), ...SiteGuard }),
  z.object({ action: z.literal("unreject"), key: Key, ...SiteGuard }),
  z.object({ action: z.literal("remove"), goldSpanId: Id, ...SiteGuard }),
  z.object({ action: z.literal("accept-relation"), layer: LayerParam, relationId: Id }),
  z.object({ action: z.literal("remove-relation"), goldRelationId: Id }),
]);
export type CurationDecisionBody = z.infer<typeof CurationDecisionBody>;
export type CurationAction = CurationDecisionBody["action"];

export const CurationStatusBody = z.object({ status: AssignmentStatus }).strict();

/** A gold span with where it came from. */
export interface CurationSpanDto extends SpanDto {
  provenance: SpanProvenance | null;
}

export interface CandidateDto {
  key: string;
  start: number;
  end: number;
  label: number;
  labelName: string;
  text: string;
  annotators: Array<{ userId: number; layer: LayerName; spanId: string }>;
  support: number;
  unanimous: boolean;
  agreed: boolean;
  goldSpanIds: string[];
  rejected: boolean;
}

export interface DisagreementDto {
  key: string;
  start: number;
  end: number;
  text: string;
  kinds: DisagreementKind[];
  /** Candidate keys, in reading order. */
  candidates: string[];
  missingIn: LayerName[];
  resolution: DisagreementResolution;
  goldSpanIds: string[];
}

export interface SiteDto {
  start: number;
  end: number;
  text: string;
  /** What gold holds over the site (shared `siteVersion`): echo it in a decision's `expected`. */
  version: string;
  candidates: CandidateDto[];
  disagreements: DisagreementDto[];
}

export interface CandidateRelationDto {
  key: string;
  /** Candidate keys of its ends. */
  from: string;
  to: string;
  type: string;
  annotators: Array<{ userId: number; layer: LayerName; relationId: string }>;
  support: number;
  unanimous: boolean;
  agreed: boolean;
  goldRelationIds: string[];
  rejected: boolean;
}

export interface CurationAnnotatorDto {
  userId: number;
  username: string;
  layer: LayerName;
  /** The layer's own status (in_progress | done), null when never set. */
  status: string | null;
  spans: number;
}

export interface DocumentCurationDto {
  document: { id: number; projectId: number; name: string; length: number };
  offsets: "codepoint" | "utf16";
  /** Layers that must agree for a candidate to count as agreed. */
  threshold: number;
  annotators: CurationAnnotatorDto[];
  sites: SiteDto[];
  relations: CandidateRelationDto[];
  gold: { spans: CurationSpanDto[]; relations: RelationDto[] };
  rejected: Array<{ key: string; by: number | null; at: number }>;
  status: AssignmentStatus;
  /** An annotator layer changed after the curation status was last set (curation started or done). */
  changedAfterCuration: boolean;
  counts: CurationCounts;
}

export interface AutoMergeResultDto {
  required: number;
  annotators: number;
  added: { spans: CurationSpanDto[]; relations: RelationDto[] };
  skipped: Array<{ key: string; reason: SkipReason | "invalid" }>;
  status: AssignmentStatus;
}

/** `details` of a 409 `already_decided`: who changed the site last, when, and its version now. */
export interface AlreadyDecidedDetails {
  /** Display name of who decided ("auto-merge" for auto-merge, "someone" when nothing says). */
  by: string;
  byId: number | null;
  /** When (ms since the epoch); null when nothing says. */
  at: number | null;
  /** The site's version now: send it as `expected.version` with `replace: true` to override. */
  current: string;
  /** The gold spans over the site now. */
  goldSpanIds: string[];
}

export interface CurationDecisionResultDto {
  action: CurationAction;
  span: CurationSpanDto | null;
  relation: RelationDto | null;
  removed: { spans: string[]; relations: string[] };
  /** Keys recorded in (or, for unreject, removed from) gold's `rejected` map. */
  rejected: string[];
  status: AssignmentStatus;
}

export interface ProjectCurationDocumentDto {
  documentId: number;
  name: string;
  status: AssignmentStatus;
  annotators: number;
  /** Annotator layers with at least one span. */
  annotatedLayers: number;
  disagreements: number;
  open: number;
  goldSpans: number;
  /** An annotator layer changed after the curation status was last set. */
  changedAfterCuration: boolean;
}

export interface ProjectCurationDto {
  documents: ProjectCurationDocumentDto[];
  /** The first document (by id) with open disagreements that is not done: the "next" link. */
  nextDocumentId: number | null;
  counts: { documents: number; todo: number; in_progress: number; done: number; open: number };
}
