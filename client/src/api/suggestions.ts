/**
 * Suggestions (issue 14) through TanStack Query: a project's recommenders and their quality, the caller's
 * suggestions for one document, and the writes (accept, reject, accept all, recommender CRUD) with the
 * invalidations each needs. Kept beside queries.ts/mutations.ts; keys nest under the project or document
 * scope, so the scopes' invalidations cover them too.
 */
import type { AcceptAllBody, RecommenderInput, RecommenderPatch, SuggestionKey } from "@gloss/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "./context";
import { invalidate } from "./queries";

export const suggestionKeys = {
  recommenders: (projectId: number) => ["project", projectId, "recommenders"] as const,
  quality: (projectId: number, id: number) => ["project", projectId, "recommenders", id, "quality"] as const,
  suggestions: (documentId: number) => ["document", documentId, "suggestions"] as const,
};

/** The project's recommenders (every member may list them). */
export function useRecommendersQuery(projectId: number) {
  const api = useApi();
  return useQuery({
    queryKey: suggestionKeys.recommenders(projectId),
    queryFn: ({ signal }) => api.suggestions.recommenders(projectId, { signal }),
  });
}

/** A recommender's P/R/F1 on held-out documents (asked for when shown). */
export function useRecommenderQualityQuery(projectId: number, id: number, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: suggestionKeys.quality(projectId, id),
    queryFn: ({ signal }) => api.suggestions.quality(projectId, id, { signal }),
    enabled,
  });
}

/** How often to ask again while an external recommender is still computing. */
const PENDING_POLL_MS = 1500;

/** The caller's suggestions for a document (their own layer), asked again while some are pending. */
export function useSuggestionsQuery(documentId: number, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: suggestionKeys.suggestions(documentId),
    queryFn: ({ signal }) => api.suggestions.list(documentId, { signal }),
    enabled,
    refetchInterval: (q) => ((q.state.data?.pending.length ?? 0) > 0 ? PENDING_POLL_MS : false),
  });
}

function useRecommenderWrite<V, R>(projectId: number, send: (v: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: send,
    // every document's suggestions depend on the project's recommenders
    onSuccess: () => void invalidate(client, suggestionKeys.recommenders(projectId), ["document"] as const),
  });
}

/** Adds a recommender (managers). */
export function useCreateRecommender(projectId: number) {
  const api = useApi();
  return useRecommenderWrite(projectId, (body: RecommenderInput) =>
    api.suggestions.createRecommender(projectId, body),
  );
}

/** Enables, disables, renames or reconfigures a recommender (managers). */
export function useUpdateRecommender(projectId: number) {
  const api = useApi();
  return useRecommenderWrite(projectId, (v: { id: number; patch: RecommenderPatch }) =>
    api.suggestions.updateRecommender(projectId, v.id, v.patch),
  );
}

/** Deletes a recommender (managers). */
export function useRemoveRecommender(projectId: number) {
  const api = useApi();
  return useRecommenderWrite(projectId, (id: number) => api.suggestions.removeRecommender(projectId, id));
}

function useSuggestionWrite<V, R>(documentId: number, send: (v: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: send,
    // the accepted span arrives through the live room; the list drops what was accepted or rejected
    onSettled: () => void invalidate(client, suggestionKeys.suggestions(documentId)),
  });
}

/** Accepts one suggestion into the caller's layer (the server writes it, with its provenance). */
export function useAcceptSuggestion(documentId: number) {
  const api = useApi();
  return useSuggestionWrite(documentId, (key: SuggestionKey) => api.suggestions.accept(documentId, key));
}

/** Rejects one suggestion: it is not proposed to the caller again. */
export function useRejectSuggestion(documentId: number) {
  const api = useApi();
  return useSuggestionWrite(documentId, (key: SuggestionKey) => api.suggestions.reject(documentId, key));
}

/** Accepts every suggestion of a label scoring at least a threshold. */
export function useAcceptAllSuggestions(documentId: number) {
  const api = useApi();
  return useSuggestionWrite(documentId, (body: AcceptAllBody) => api.suggestions.acceptAll(documentId, body));
}
