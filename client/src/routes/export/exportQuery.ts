/**
 * The export form's state and the URL it downloads from (GET /api/projects/:id/export?…, the query
 * schema is shared/src/formats/options.ts). Defaults are left out of the URL, and options that do not
 * apply to the chosen format are never sent (the server refuses `overlap=per-label` outside Hugging Face).
 */
import { type ExportFormat, FORMAT_INFO } from "@gloss/shared";
import { exportPath } from "../../api/endpoints";

export type OverlapPolicy = "keep-longest" | "keep-first" | "per-label";

export interface ExportState {
  format: ExportFormat;
  /** gold | majority | all | shared | user-<id> */
  layer: string;
  offsets: "codepoint" | "utf16";
  documents: number[];
  labels: string[];
  status: Array<"todo" | "in_progress" | "done">;
  /** Gold: also documents whose curation is not done (default: curated documents only). */
  includeUncurated: boolean;
  /** Hugging Face: train, validation, test. */
  split: [number, number, number];
  seed: number;
  overlap: OverlapPolicy;
  granularity: "sentence" | "document";
}

export const DEFAULT_EXPORT: ExportState = {
  format: "gloss",
  layer: "gold",
  offsets: "codepoint",
  documents: [],
  labels: [],
  status: [],
  includeUncurated: false,
  split: [0.8, 0.1, 0.1],
  seed: 42,
  overlap: "keep-longest",
  granularity: "sentence",
};

/** Whether the format tags tokens (the overlap policy applies). */
export const tagsTokens = (f: ExportFormat) => FORMAT_INFO[f].tokens;
/** Whether the format has Hugging Face's options (split, seed, granularity, per-label files). */
export const isHuggingFace = (f: ExportFormat) => f === "huggingface";

/** A problem with the form that the server would refuse, in words; null when it can be sent. */
export function exportProblem(s: ExportState): string | null {
  if (isHuggingFace(s.format)) {
    if (s.split.some((r) => !Number.isFinite(r) || r < 0 || r > 1))
      return "Each split ratio is between 0 and 1.";
    if (s.split.every((r) => r === 0)) return "The split ratios must not all be 0.";
    if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 2 ** 32 - 1)
      return "The seed is a whole number from 0.";
  }
  return null;
}

/** The query parameters of an export. */
export function exportParams(s: ExportState): URLSearchParams {
  const q = new URLSearchParams();
  q.set("format", s.format);
  q.set("layer", s.layer);
  if (s.offsets !== "codepoint") q.set("offsets", s.offsets);
  if (s.documents.length) q.set("documents", s.documents.join(","));
  if (s.labels.length) q.set("labels", s.labels.join(","));
  if (s.status.length) q.set("status", s.status.join(","));
  if (s.includeUncurated && s.layer === "gold" && !s.status.length) q.set("includeUncurated", "true");
  if (tagsTokens(s.format)) {
    const overlap = s.overlap === "per-label" && !isHuggingFace(s.format) ? "keep-longest" : s.overlap;
    if (overlap !== "keep-longest") q.set("overlap", overlap);
  }
  if (isHuggingFace(s.format)) {
    q.set("split", s.split.join(","));
    q.set("seed", String(s.seed));
    if (s.granularity !== "sentence") q.set("granularity", s.granularity);
  }
  return q;
}

/** The download URL of an export. */
export const exportUrl = (projectId: number, s: ExportState) => exportPath(projectId, exportParams(s));

/** The project's curation figures an export needs (GET /api/projects/:id/curation's `counts`). */
export interface CurationCounts {
  documents: number;
  done: number;
}

/**
 * How many documents a gold export leaves out because their curation is not done (the server's default;
 * it reports the same count in the X-Gloss-Uncurated-Excluded header and trailer): among the chosen
 * documents (their summaries, `s.documents` their ids), or, with none chosen, among the whole project's
 * from its curation counts (null while unknown: nothing is claimed).
 */
export function uncuratedLeftOut(
  s: ExportState,
  chosen: ReadonlyArray<{ id: number; curation: string }>,
  projectCounts: CurationCounts | null,
): number {
  if (s.layer !== "gold" || s.status.length || s.includeUncurated) return 0;
  if (s.documents.length) {
    const ids = new Set(s.documents);
    return chosen.filter((d) => ids.has(d.id) && d.curation !== "done").length;
  }
  return projectCounts ? Math.max(0, projectCounts.documents - projectCounts.done) : 0;
}
