/**
 * The suggestions one caller sees in one document (issue 14): every enabled recommender's, for the caller's
 * own layer only — learned, in independent mode, from their own layer and the gold of other documents, never
 * from the other annotators' (blind, like their layer) — minus those at offsets where the caller already has
 * a span and those they rejected.
 */
import {
  type LayerName,
  MAX_SUGGESTIONS_PER_RECOMMENDER,
  type ProjectMode,
  type StringMatchConfig,
} from "@gloss/shared";
import { call, type Store } from "../../db/store";
import type { ExternalRecommenders } from "./external";
import { listRecommenders, rejectedKeys, suggestionKey } from "./recommenders";
import { callerScope, trainStringMatcher } from "./training";

/** A suggestion in the layer's units (UTF-16). */
export interface Suggestion {
  recommender: number;
  modelVersion: string;
  start: number;
  end: number;
  label: number;
  score: number;
}

export interface CallerDocument {
  projectId: number;
  mode: ProjectMode;
  documentId: number;
  text: string;
  userId: number;
  ownLayer: LayerName;
  /** The project's labels, id → name. */
  labels: ReadonlyMap<number, string>;
  /** `start:end` (UTF-16) of the spans the caller's layer holds now. */
  ownOffsets: ReadonlySet<string>;
}

export interface CallerSuggestions {
  suggestions: Suggestion[];
  pending: number[];
  failed: Array<{ recommender: number; error: string }>;
  dropped: Record<string, number>;
  truncated: Record<string, number>;
}

/** Every suggestion the caller may see now; external recommenders without an answer yet are `pending`. */
export async function callerSuggestions(
  store: Store,
  external: ExternalRecommenders,
  doc: CallerDocument,
): Promise<CallerSuggestions> {
  const recs = await call(store, listRecommenders, doc.projectId, true);
  const rejected = await call(store, rejectedKeys, doc.documentId, doc.userId);
  const out: CallerSuggestions = { suggestions: [], pending: [], failed: [], dropped: {}, truncated: {} };
  const labels = [...doc.labels].map(([id, name]) => ({ id, name }));
  for (const rec of recs) {
    let found: Array<Omit<Suggestion, "recommender" | "modelVersion">>;
    let modelVersion: string;
    if (rec.kind === "string-match") {
      const config = rec.config as StringMatchConfig;
      const matcher = await call(
        store,
        trainStringMatcher,
        {
          projectId: doc.projectId,
          sources: config.sources,
          annotators: callerScope(doc.mode, doc.ownLayer),
          ownOnlyDocument: { id: doc.documentId, layer: doc.mode === "shared" ? "shared" : doc.ownLayer },
        },
        config,
      );
      found = matcher.predict(doc.text);
      modelVersion = `string-match:${matcher.size}`;
    } else {
      const answer = await external.answer(
        rec,
        { id: doc.documentId, projectId: doc.projectId, text: doc.text },
        labels,
      );
      if (answer.status === "pending") {
        out.pending.push(rec.id);
        continue;
      }
      if (answer.status === "failed") {
        out.failed.push({ recommender: rec.id, error: answer.error });
        continue;
      }
      found = answer.suggestions;
      modelVersion = answer.modelVersion;
      if (answer.dropped > 0) out.dropped[String(rec.id)] = answer.dropped;
    }
    const seen = new Set<string>();
    const kept: typeof out.suggestions = [];
    for (const s of found) {
      const key = suggestionKey(rec.id, s.start, s.end, s.label);
      if (seen.has(key) || rejected.has(key) || !doc.labels.has(s.label)) continue;
      if (doc.ownOffsets.has(`${s.start}:${s.end}`)) continue;
      seen.add(key);
      kept.push({ recommender: rec.id, modelVersion, ...s });
    }
    // bounded per recommender and document: the highest-scored, the rest counted
    if (kept.length > MAX_SUGGESTIONS_PER_RECOMMENDER) {
      kept.sort((a, b) => b.score - a.score);
      out.truncated[String(rec.id)] = kept.length - MAX_SUGGESTIONS_PER_RECOMMENDER;
      kept.length = MAX_SUGGESTIONS_PER_RECOMMENDER;
    }
    for (const s of kept) out.suggestions.push(s);
  }
  out.suggestions.sort((a, b) => a.start - b.start || b.end - a.end || b.score - a.score);
  return out;
}
