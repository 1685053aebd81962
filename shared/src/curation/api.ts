/**
 * The curation REST contract: request bodies (zod) and response shapes of
 * `/api/documents/:id/curation…` and `/api/projects/:id/curation`. Offsets in responses are code points
 * unless `?offsets=utf16`; keys (`s:`, `d:`, `r:`) are opaque strings to echo back.
 */
import { z } from "zod";
import { AssignmentStatus, RelationDto, SpanDto } from "../api";
import { PageQuery } from "../api-pages";
import { LayerNameSchema, OffsetsQuery } from "../api-params";
import type { SpanProvenance } from "../layer";
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
const CURATION_ACTIONS = [
  "accept",
  "edit",
  "reject",
  "unreject",
  "remove",
  "accept-relation",
  "remove-relation",
] as const satisfies ReadonlyArray<CurationAction>;

export const CurationStatusBody = z.object({ status: AssignmentStatus }).strict();

/** Where a gold span came from (layer.ts SpanProvenance). */
const Provenance = z
  .object({
    annotators: z.array(z.number().int()),
    decidedBy: z.number().int().nullable(),
    decidedAt: z.number(),
    via: z.enum(["auto-merge", "accept", "edit", "manual", "import", "suggestion"]),
    /** `via: "suggestion"` (issue 14): the accepted suggestion's recommender, model version and score. */
    recommender: z.number().int().optional(),
    model_version: z.string().optional(),
    score: z.number().optional(),
  })
  .meta({ id: "SpanProvenance" }) satisfies z.ZodType<SpanProvenance>;

/** A gold span with where it came from. */
export const CurationSpanDto = SpanDto.extend({ provenance: Provenance.nullable() }).meta({
  id: "CurationSpan",
});
export type CurationSpanDto = z.infer<typeof CurationSpanDto>;

const int = z.number().int();
const OutKey = z.string();
const SpanSupporter = z.object({ userId: int, layer: LayerNameSchema, spanId: z.string() });

export const CandidateDto = z
  .object({
    key: OutKey,
    start: int,
    end: int,
    label: int,
    labelName: z.string(),
    text: z.string(),
    annotators: z.array(SpanSupporter),
    support: int,
    unanimous: z.boolean(),
    agreed: z.boolean(),
    goldSpanIds: z.array(z.string()),
    rejected: z.boolean(),
  })
  .meta({ id: "Candidate" });
export type CandidateDto = z.infer<typeof CandidateDto>;

export const DisagreementDto = z
  .object({
    key: OutKey,
    start: int,
    end: int,
    text: z.string(),
    kinds: z.array(z.enum(["missing", "boundary", "label"]) satisfies z.ZodType<DisagreementKind>),
    /** Candidate keys, in reading order. */
    candidates: z.array(OutKey),
    missingIn: z.array(LayerNameSchema),
    resolution: z.enum(["open", "gold", "rejected"]) satisfies z.ZodType<DisagreementResolution>,
    goldSpanIds: z.array(z.string()),
  })
  .meta({ id: "Disagreement" });
export type DisagreementDto = z.infer<typeof DisagreementDto>;

export const SiteDto = z
  .object({
    start: int,
    end: int,
    text: z.string(),
    /** What gold holds over the site (shared `siteVersion`): echo it in a decision's `expected`. */
    version: z.string(),
    candidates: z.array(CandidateDto),
    disagreements: z.array(DisagreementDto),
  })
  .meta({ id: "Site" });
export type SiteDto = z.infer<typeof SiteDto>;

export const CandidateRelationDto = z
  .object({
    key: OutKey,
    /** Candidate keys of its ends. */
    from: OutKey,
    to: OutKey,
    type: z.string(),
    annotators: z.array(z.object({ userId: int, layer: LayerNameSchema, relationId: z.string() })),
    support: int,
    unanimous: z.boolean(),
    agreed: z.boolean(),
    goldRelationIds: z.array(z.string()),
    rejected: z.boolean(),
  })
  .meta({ id: "CandidateRelation" });
export type CandidateRelationDto = z.infer<typeof CandidateRelationDto>;

export const CurationAnnotatorDto = z
  .object({
    userId: int,
    username: z.string(),
    layer: LayerNameSchema,
    /** The layer's own status (in_progress | done), null when never set. */
    status: z.string().nullable(),
    spans: int,
  })
  .meta({ id: "CurationAnnotator" });
export type CurationAnnotatorDto = z.infer<typeof CurationAnnotatorDto>;

const Counts = z
  .object({
    sites: int,
    candidates: int,
    /** Candidates at least `threshold` layers have. */
    agreed: int,
    disagreements: int,
    missing: int,
    boundary: int,
    label: int,
    resolved: int,
    open: int,
  })
  .meta({ id: "CurationCounts" }) satisfies z.ZodType<CurationCounts>;

export const DocumentCurationDto = z
  .object({
    document: z.object({ id: int, projectId: int, name: z.string(), length: int }),
    offsets: z.enum(["codepoint", "utf16"]),
    /** Layers that must agree for a candidate to count as agreed. */
    threshold: int,
    annotators: z.array(CurationAnnotatorDto),
    sites: z.array(SiteDto),
    relations: z.array(CandidateRelationDto),
    gold: z.object({ spans: z.array(CurationSpanDto), relations: z.array(RelationDto) }),
    rejected: z.array(z.object({ key: OutKey, by: int.nullable(), at: z.number() })),
    status: AssignmentStatus,
    /** An annotator layer changed after the curation status was last set (curation started or done). */
    changedAfterCuration: z.boolean(),
    counts: Counts,
  })
  .meta({ id: "DocumentCuration" });
export type DocumentCurationDto = z.infer<typeof DocumentCurationDto>;

const SKIP_REASONS = [
  "in-gold",
  "rejected",
  "disagreement-rejected",
  "disagreement-resolved",
  "gold-has-version",
  "ambiguous",
  "ends-not-in-gold",
  "invalid",
] as const satisfies ReadonlyArray<SkipReason | "invalid">;

export const AutoMergeResultDto = z
  .object({
    required: int,
    annotators: int,
    added: z.object({ spans: z.array(CurationSpanDto), relations: z.array(RelationDto) }),
    skipped: z.array(z.object({ key: OutKey, reason: z.enum(SKIP_REASONS) })),
    status: AssignmentStatus,
  })
  .meta({ id: "AutoMergeResult" });
export type AutoMergeResultDto = z.infer<typeof AutoMergeResultDto>;

/** `details` of a 409 `already_decided`: who changed the site last, when, and its version now. */
export const AlreadyDecidedDetails = z
  .object({
    /** Display name of who decided ("auto-merge" for auto-merge, "someone" when nothing says). */
    by: z.string(),
    byId: int.nullable(),
    /** When (ms since the epoch); null when nothing says. */
    at: z.number().nullable(),
    /** The site's version now: send it as `expected.version` with `replace: true` to override. */
    current: z.string(),
    /** The gold spans over the site now. */
    goldSpanIds: z.array(z.string()),
  })
  .meta({ id: "AlreadyDecidedDetails" });
export type AlreadyDecidedDetails = z.infer<typeof AlreadyDecidedDetails>;

export const CurationDecisionResultDto = z
  .object({
    action: z.enum(CURATION_ACTIONS),
    span: CurationSpanDto.nullable(),
    relation: RelationDto.nullable(),
    removed: z.object({ spans: z.array(z.string()), relations: z.array(z.string()) }),
    /** Keys recorded in (or, for unreject, removed from) gold's `rejected` map. */
    rejected: z.array(OutKey),
    status: AssignmentStatus,
  })
  .meta({ id: "CurationDecisionResult" });
export type CurationDecisionResultDto = z.infer<typeof CurationDecisionResultDto>;

/** PUT /documents/:id/curation/status. */
export const CurationStatusDto = z
  .object({ documentId: int, status: AssignmentStatus })
  .meta({ id: "CurationStatus" });

export const ProjectCurationDocumentDto = z
  .object({
    documentId: int,
    name: z.string(),
    status: AssignmentStatus,
    annotators: int,
    /** Annotator layers with at least one span. */
    annotatedLayers: int,
    disagreements: int,
    open: int,
    goldSpans: int,
    /** An annotator layer changed after the curation status was last set. */
    changedAfterCuration: z.boolean(),
  })
  .meta({ id: "ProjectCurationDocument" });
export type ProjectCurationDocumentDto = z.infer<typeof ProjectCurationDocumentDto>;

/** How GET /projects/:id/curation orders its documents: by id (the default), name, or most open first. */
export const CURATION_SORTS = ["id", "name", "open", "disagreements"] as const;

/**
 * GET /projects/:id/curation?limit=&offset=&q=&status=&open=&sort=: `q` in the document name, `status` the
 * curation status, `open=true` only documents with open disagreements.
 */
export const ProjectCurationQuery = PageQuery.extend({
  q: z.string().max(500).optional(),
  status: AssignmentStatus.optional(),
  open: z.enum(["true", "false"]).optional(),
  sort: z.enum(CURATION_SORTS).default("id"),
});
export type ProjectCurationQuery = z.infer<typeof ProjectCurationQuery>;

export const ProjectCurationDto = z
  .object({
    /** A page of the matching documents. */
    documents: z.array(ProjectCurationDocumentDto),
    /** How many documents match the filters (every page). */
    total: int,
    /** The first document (by id) with open disagreements that is not done: the "next" link. */
    nextDocumentId: int.nullable(),
    /** That document's name (it may be on another page). */
    nextDocumentName: z.string().nullable(),
    /** The whole project's figures, whatever the filters. */
    counts: z.object({ documents: int, todo: int, in_progress: int, done: int, open: int }),
  })
  .meta({ id: "ProjectCuration" });
export type ProjectCurationDto = z.infer<typeof ProjectCurationDto>;

/** GET /documents/:id/curation: the agreement threshold (layers that must agree), and the offset unit. */
export const CurationViewQuery = OffsetsQuery.extend({
  threshold: z.coerce.number().int().min(1).max(1000).optional(),
  minAnnotators: z.coerce.number().int().min(1).max(1000).optional(),
});
