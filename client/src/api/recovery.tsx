/**
 * Pages recover by themselves when the server comes back (issue 13 item 13). A read that failed because
 * the server was away — the network failed, or a proxy answered 502/503/504 — would otherwise stay an
 * error until the user reloads: TanStack Query retries a couple of times and re-reads on the browser's
 * own online/focus events, and a server restart is neither. So after such a failure the app probes
 * GET /api/health with backoff (1 s, 2 s, 4 s … at most 10 s), and once it answers re-reads every query
 * that failed and every one on screen (what they show may have changed meanwhile).
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { ApiError } from "./client";
import { useApi } from "./context";

/** True for a failure that says the server is away, not that it refused (a 4xx is its considered answer). */
export const isServerAway = (err: unknown): boolean =>
  err instanceof ApiError &&
  (err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504);

export interface RecoveryOptions {
  /** The first probe's delay; each failed probe doubles it. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Watches `client`'s queries; after a server-away failure, probes until the server answers, then re-reads. */
export function watchServerRecovery(
  client: QueryClient,
  probe: () => Promise<unknown>,
  { minDelayMs = 1000, maxDelayMs = 10_000 }: RecoveryOptions = {},
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let stopped = false;
  const schedule = () => {
    if (timer !== null || stopped) return;
    timer = setTimeout(
      async () => {
        try {
          await probe();
        } catch {
          timer = null;
          failures++;
          schedule();
          return;
        }
        timer = null;
        failures = 0;
        if (stopped) return;
        void client.invalidateQueries({
          predicate: (q) => q.state.status === "error" || q.getObserversCount() > 0,
        });
      },
      Math.min(maxDelayMs, minDelayMs * 2 ** failures),
    );
  };
  const unsubscribe = client.getQueryCache().subscribe((event) => {
    if (event.type === "updated" && event.action.type === "error" && isServerAway(event.action.error)) {
      schedule();
    }
  });
  return () => {
    stopped = true;
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
  };
}

/** Mounts the watcher for the app's query client (renders nothing). */
export function ServerRecovery() {
  const client = useQueryClient();
  const api = useApi();
  useEffect(() => watchServerRecovery(client, () => api.health()), [client, api]);
  return null;
}
