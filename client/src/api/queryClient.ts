/**
 * The cache of server state and when it is read again: on mount when stale, when the window regains
 * focus, and when the browser comes back online (TanStack Query's focusManager and onlineManager); pages
 * with a collaboration socket re-read when it reconnects instead of on focus (collab/useOnReconnect.ts,
 * LIVE_PAGE in queries.ts).
 */
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./client";

/** Tries after a network failure or a server error; never after the server's considered 4xx answer. */
function retry(failures: number, err: unknown): boolean {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) return false;
  return failures < 2;
}

/** A new query client (one per app; tests get their own). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry,
        // a page opened twice within a few seconds reads once
        staleTime: 5_000,
        refetchOnWindowFocus: true,
        // whatever changed while the browser was offline was missed, however fresh the data looked
        refetchOnReconnect: "always",
      },
      mutations: { retry: false },
    },
  });
}
