/**
 * The workspace's suggestions (issue 14): the caller's suggestions for the open document, named after their
 * recommenders, minus the recommenders hidden here; and accept, reject and accept-all through the REST routes
 * (the accepted span then arrives through the live room like any other change of the layer).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { invalidate } from "../../api/queries";
import {
  suggestionKeys,
  useAcceptAllSuggestions,
  useAcceptSuggestion,
  useRecommendersQuery,
  useRejectSuggestion,
  useSuggestionsQuery,
} from "../../api/suggestions";
import { type EditorSuggestion, suggestionKey } from "../../editor";

/** How long the layer is quiet before the suggestions are asked for again. */
const REFRESH_AFTER_EDIT_MS = 600;

/**
 * Suggestions for one document and the caller's own layer; `enabled` false: none asked for. `layerVersion`
 * changes with the layer's spans: the server drops what the caller already has, so a quiet moment after a
 * change asks again.
 */
export function useSuggestions(
  documentId: number,
  projectId: number,
  enabled: boolean,
  layerVersion: unknown,
) {
  const query = useSuggestionsQuery(documentId, enabled);
  const client = useQueryClient();
  const firstVersion = useRef(layerVersion);
  useEffect(() => {
    if (!enabled || layerVersion === firstVersion.current) return;
    const timer = setTimeout(
      () => void invalidate(client, suggestionKeys.suggestions(documentId)),
      REFRESH_AFTER_EDIT_MS,
    );
    return () => clearTimeout(timer);
  }, [enabled, layerVersion, client, documentId]);
  const recommenders = useRecommendersQuery(projectId);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  // settled here (accepted or rejected) and not yet dropped by the refetch: not drawn meanwhile
  const [settled, setSettled] = useState<ReadonlySet<string>>(new Set());
  const accept = useAcceptSuggestion(documentId);
  const reject = useRejectSuggestion(documentId);
  const acceptAll = useAcceptAllSuggestions(documentId);

  // a fresh answer after every write has settled says all there is: what was hidden meanwhile may show
  // again (an accepted span deleted since proposes it anew)
  const idle = !accept.isPending && !reject.isPending && !acceptAll.isPending;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on each new answer
  useEffect(() => {
    if (idle && !query.isFetching) setSettled((prev) => (prev.size === 0 ? prev : new Set()));
  }, [query.dataUpdatedAt, idle, query.isFetching]);

  const names = useMemo(
    () => new Map((recommenders.data?.recommenders ?? []).map((r) => [r.id, r.name])),
    [recommenders.data],
  );
  const all = useMemo<EditorSuggestion[]>(
    () =>
      (enabled ? (query.data?.suggestions ?? []) : []).map((s) => ({
        key: suggestionKey(s),
        recommender: s.recommender,
        start: s.start,
        end: s.end,
        label: s.label,
        labelName: s.labelName,
        recommenderName: names.get(s.recommender) ?? `recommender ${s.recommender}`,
        score: s.score,
      })),
    [enabled, query.data, names],
  );
  const shown = useMemo(
    () => all.filter((s) => !hidden.has(s.recommender) && !settled.has(s.key)),
    [all, hidden, settled],
  );
  /** The recommenders that made a suggestion here, or are still computing, or failed. */
  const sources = useMemo(() => {
    const ids = new Set<number>(all.map((s) => s.recommender));
    for (const id of query.data?.pending ?? []) ids.add(id);
    return [...ids].map((id) => ({
      id,
      name: names.get(id) ?? `recommender ${id}`,
      count: all.filter((s) => s.recommender === id).length,
    }));
  }, [all, names, query.data?.pending]);

  const settle = (s: EditorSuggestion, action: "accept" | "reject") => {
    setSettled((prev) => new Set(prev).add(s.key));
    const body = { recommender: s.recommender, start: s.start, end: s.end, label: s.label };
    const unsettle = () =>
      setSettled((prev) => {
        const next = new Set(prev);
        next.delete(s.key);
        return next;
      });
    (action === "accept" ? accept : reject).mutate(body, { onError: unsettle });
  };

  return {
    query,
    names,
    shown,
    all,
    sources,
    hidden,
    toggle: (id: number) =>
      setHidden((prev) => {
        const next = new Set(prev);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    settle,
    acceptAll,
    writes: [accept, reject, acceptAll] as const,
  };
}

export type WorkspaceSuggestions = ReturnType<typeof useSuggestions>;
