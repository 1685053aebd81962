/**
 * The REST contract of suggestions (issue 14): recommenders per project (`/projects/:id/recommenders…`) and
 * the suggestions they make for one document (`/documents/:id/suggestions…`). Offsets are Unicode code points
 * unless `?offsets=utf16`, like every offset the API shows.
 */
import { z } from "zod";
import { ProjectId } from "./api-params";

export const RECOMMENDER_KINDS = ["string-match", "label-studio-ml"] as const;
export type RecommenderKind = (typeof RECOMMENDER_KINDS)[number];

/** The built-in string matcher: what it learns from and how it compares text. */
export const StringMatchConfig = z
  .object({
    /** Which layers it learns from: the gold layer and/or the annotators' layers (`shared` in shared mode). */
    sources: z
      .array(z.enum(["gold", "annotators"]))
      .min(1)
      .max(2)
      .default(["gold", "annotators"]),
    caseSensitive: z.boolean().default(true),
    /** Any run of whitespace in a learned text matches any run of whitespace in the document. */
    normalizeWhitespace: z.boolean().default(false),
  })
  .strict();
export type StringMatchConfig = z.infer<typeof StringMatchConfig>;

/** A Label Studio ML backend (its documented /setup, /health and /predict). */
export const LabelStudioConfig = z
  .object({
    url: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/[^\s]+$/, "expected an http(s) URL"),
    /** Per call. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Further attempts after a failed call (network error, timeout, 5xx, 429), with exponential backoff. */
    retries: z.number().int().min(0).max(5).default(2),
    /**
     * How often the backend's /setup is called again to learn whether its model version changed (a retrained
     * model): answers cached for an older version are then fetched anew.
     */
    versionCheckMs: z.number().int().min(100).max(86_400_000).default(300_000),
  })
  .strict();
export type LabelStudioConfig = z.infer<typeof LabelStudioConfig>;

const Name = z.string().trim().min(1).max(100);

export const RecommenderInput = z.discriminatedUnion("kind", [
  z.object({
    name: Name,
    kind: z.literal("string-match"),
    config: StringMatchConfig.default(StringMatchConfig.parse({})),
    enabled: z.boolean().default(true),
  }),
  z.object({
    name: Name,
    kind: z.literal("label-studio-ml"),
    config: LabelStudioConfig,
    enabled: z.boolean().default(true),
  }),
]);
export type RecommenderInput = z.infer<typeof RecommenderInput>;

/** PATCH: the kind stays; `config` replaces the whole configuration (validated against the kind). */
export const RecommenderPatch = z
  .object({ name: Name.optional(), enabled: z.boolean().optional(), config: z.unknown().optional() })
  .strict();
export type RecommenderPatch = z.infer<typeof RecommenderPatch>;

export const RecommenderDto = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    name: z.string(),
    kind: z.enum(RECOMMENDER_KINDS),
    config: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    /** The model version last reported by the backend (null: not yet known). */
    modelVersion: z.string().nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Recommender" });
export type RecommenderDto = z.infer<typeof RecommenderDto>;

export const RecommenderListDto = z
  .object({ recommenders: z.array(RecommenderDto) })
  .meta({ id: "RecommenderList" });

export const RecommenderParams = z.object({
  id: ProjectId,
  recommenderId: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, "expected a positive integer id")
    .transform(Number)
    .pipe(z.number().int().positive().max(2_147_483_647)),
});

/** One suggestion for the caller's own layer. */
export const SuggestionDto = z
  .object({
    recommender: z.number().int(),
    model_version: z.string(),
    start: z.number().int(),
    end: z.number().int(),
    /** The covered text. */
    text: z.string(),
    label: z.number().int(),
    labelName: z.string(),
    score: z.number(),
  })
  .meta({ id: "Suggestion" });
export type SuggestionDto = z.infer<typeof SuggestionDto>;

/** Recommenders a project may have (creating more is refused with 409 `too_many_recommenders`). */
export const MAX_RECOMMENDERS_PER_PROJECT = 20;
/** Suggestions one recommender may show for one document (the highest-scored; the rest are counted). */
export const MAX_SUGGESTIONS_PER_RECOMMENDER = 5_000;

export const SuggestionListDto = z
  .object({
    suggestions: z.array(SuggestionDto),
    /** External recommenders still computing this document's suggestions (ask again). */
    pending: z.array(z.number().int()),
    /** External recommenders that failed (or whose circuit is open), with why. */
    failed: z.array(z.object({ recommender: z.number().int(), error: z.string() })),
    /** Suggestions dropped per recommender because their offsets did not match their text. */
    dropped: z.record(z.string(), z.number().int()),
    /**
     * Suggestions left out per recommender past MAX_SUGGESTIONS_PER_RECOMMENDER for one document (the
     * list is bounded: recommenders ≤ MAX_RECOMMENDERS_PER_PROJECT × that); the highest-scored are kept.
     */
    truncated: z.record(z.string(), z.number().int()),
  })
  .meta({ id: "SuggestionList" });
export type SuggestionListDto = z.infer<typeof SuggestionListDto>;

/** Names one suggestion (accept or reject): offsets in the request's unit, label by id or name. */
export const SuggestionKey = z.object({
  recommender: z.number().int().positive(),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  label: z.union([z.number().int().positive(), z.string().min(1).max(100)]),
});
export type SuggestionKey = z.infer<typeof SuggestionKey>;

export const AcceptAllBody = z.object({
  label: z.union([z.number().int().positive(), z.string().min(1).max(100)]),
  /** Accept every suggestion of this label scoring at least this. */
  threshold: z.number().min(0).max(1),
  /** Only this recommender's suggestions (default: every recommender's). */
  recommender: z.number().int().positive().optional(),
});
export type AcceptAllBody = z.infer<typeof AcceptAllBody>;

export const LabelQualityDto = z.object({
  label: z.number().int(),
  labelName: z.string(),
  tp: z.number().int(),
  fp: z.number().int(),
  fn: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
});

/** A recommender's quality on held-out documents of the project (exact span and label match). */
export const RecommenderQualityDto = z
  .object({
    recommender: z.number().int(),
    /** What the predictions were compared with. */
    reference: z.enum(["gold", "annotators"]),
    heldOutDocuments: z.number().int(),
    trainingDocuments: z.number().int(),
    labels: z.array(LabelQualityDto),
    micro: LabelQualityDto.omit({ label: true, labelName: true }),
  })
  .meta({ id: "RecommenderQuality" });
export type RecommenderQualityDto = z.infer<typeof RecommenderQualityDto>;
