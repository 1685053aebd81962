/**
 * Calls to external recommenders, off the request path (issue 14): a request reads the cached answer for
 * (document, recommender, model version) or, when there is none, starts one fetch in the background and
 * answers "pending" at once. Fetches run with a timeout per call, retries with backoff, at most
 * `projectConcurrency` at once per project, and a circuit breaker per recommender, so a slow or dead
 * backend never slows the editor. One engine per app (createApp builds it; nothing module-level).
 */
import type { LabelStudioConfig } from "@gloss/shared";
import { call, type Store } from "../../db/store";
import type { Logger } from "../../log";
import { type LabelStudioLabel, predict, setup } from "./labelStudio";
import {
  type CachedSuggestion,
  cachedSuggestions,
  cacheSuggestions,
  type RecommenderRow,
  setModelVersion,
} from "./recommenders";
import { CircuitBreaker, CircuitOpenError, Semaphore, withRetries } from "./resilience";

export interface ExternalOptions {
  projectConcurrency: number;
  failureThreshold: number;
  cooldownMs: number;
  retryBaseDelayMs: number;
}

export const DEFAULT_EXTERNAL_OPTIONS: ExternalOptions = {
  projectConcurrency: 2,
  failureThreshold: 3,
  cooldownMs: 30_000,
  retryBaseDelayMs: 250,
};

export type ExternalAnswer =
  | { status: "ready"; modelVersion: string; suggestions: CachedSuggestion[]; dropped: number }
  | { status: "pending" }
  | { status: "failed"; error: string };

export interface ExternalDocument {
  id: number;
  projectId: number;
  text: string;
}

export class ExternalRecommenders {
  private readonly semaphores = new Map<number, Semaphore>();
  private readonly breakers = new Map<number, CircuitBreaker>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly lastError = new Map<string, string>();
  /** Recommender id → the configuration its backend was last set up with, and when. */
  private readonly setUp = new Map<number, { config: string; at: number }>();
  /** Recommenders whose model version is being checked now. */
  private readonly checking = new Set<number>();
  private readonly opts: ExternalOptions;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    opts: Partial<ExternalOptions> = {},
  ) {
    this.opts = { ...DEFAULT_EXTERNAL_OPTIONS, ...opts };
  }

  /** What the recommender has for the document now; starts a fetch when nothing is cached. */
  async answer(
    rec: RecommenderRow,
    doc: ExternalDocument,
    labels: LabelStudioLabel[],
  ): Promise<ExternalAnswer> {
    const cached = await call(this.store, cachedSuggestions, doc.id, rec.id, rec.modelVersion ?? "");
    if (cached) {
      // served as it is; a stale model version is checked in the background for the next request
      this.checkVersion(rec, doc.projectId, labels);
      return { status: "ready", modelVersion: rec.modelVersion ?? "", ...cached };
    }
    const key = `${doc.id}:${rec.id}`;
    if (this.inflight.has(key)) return { status: "pending" };
    const error = this.lastError.get(key);
    if (error !== undefined) {
      // reported once; the next request tries again (the breaker decides whether it may)
      this.lastError.delete(key);
      return { status: "failed", error };
    }
    if (this.breakerOf(rec.id).state === "open") return { status: "failed", error: "circuit_open" };
    const fetching = this.fetch(rec, doc, labels, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, fetching);
    return { status: "pending" };
  }

  /**
   * Calls /setup again when the last one is older than `versionCheckMs`, and records the model version it
   * reports: answers cached for another version are no longer read.
   */
  private checkVersion(rec: RecommenderRow, projectId: number, labels: LabelStudioLabel[]): void {
    const config = rec.config as LabelStudioConfig;
    const last = this.setUp.get(rec.id);
    const fresh =
      last && last.config === JSON.stringify(config) && Date.now() - last.at < config.versionCheckMs;
    if (fresh || this.checking.has(rec.id) || this.breakerOf(rec.id).state === "open") return;
    this.checking.add(rec.id);
    const check = this.semaphoreOf(projectId)
      .run(() => this.breakerOf(rec.id).run(() => this.setup(rec, projectId, labels)))
      .then(async (version) => {
        if (version !== null && version !== (rec.modelVersion ?? ""))
          await call(this.store, setModelVersion, rec.id, version);
      })
      .catch((err) =>
        this.log.warn("recommender version check failed", {
          recommender: rec.id,
          error: String(err?.message ?? err),
        }),
      )
      .finally(() => {
        this.checking.delete(rec.id);
        this.inflight.delete(`version:${rec.id}`);
      });
    this.inflight.set(`version:${rec.id}`, check);
  }

  private async setup(
    rec: RecommenderRow,
    projectId: number,
    labels: LabelStudioLabel[],
  ): Promise<string | null> {
    const config = rec.config as LabelStudioConfig;
    const version = await setup(config.url, `${projectId}.${rec.id}`, labels, config.timeoutMs);
    this.setUp.set(rec.id, { config: JSON.stringify(config), at: Date.now() });
    return version;
  }

  /** Forgets what is known of a recommender (its configuration changed, or it was deleted). */
  forget(recommenderId: number): void {
    this.breakers.delete(recommenderId);
    this.setUp.delete(recommenderId);
  }

  /** Settles when no fetch is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
  }

  private breakerOf(id: number): CircuitBreaker {
    let b = this.breakers.get(id);
    if (!b) {
      b = new CircuitBreaker({
        failureThreshold: this.opts.failureThreshold,
        cooldownMs: this.opts.cooldownMs,
      });
      this.breakers.set(id, b);
    }
    return b;
  }

  private semaphoreOf(projectId: number): Semaphore {
    let s = this.semaphores.get(projectId);
    if (!s) {
      s = new Semaphore(this.opts.projectConcurrency);
      this.semaphores.set(projectId, s);
    }
    return s;
  }

  private async fetch(
    rec: RecommenderRow,
    doc: ExternalDocument,
    labels: LabelStudioLabel[],
    key: string,
  ): Promise<void> {
    const config = rec.config as LabelStudioConfig;
    try {
      const answer = await this.semaphoreOf(doc.projectId).run(() =>
        this.breakerOf(rec.id).run(() =>
          withRetries(
            async () => {
              let setupVersion: string | null = null;
              if (this.setUp.get(rec.id)?.config !== JSON.stringify(config))
                setupVersion = await this.setup(rec, doc.projectId, labels);
              const predicted = await predict(
                config.url,
                { id: doc.id, text: doc.text },
                labels,
                config.timeoutMs,
              );
              return {
                ...predicted,
                modelVersion: predicted.modelVersion || setupVersion || rec.modelVersion || "",
              };
            },
            { retries: config.retries, baseDelayMs: this.opts.retryBaseDelayMs, maxDelayMs: 5_000 },
          ),
        ),
      );
      await call(this.store, cacheSuggestions, {
        documentId: doc.id,
        recommenderId: rec.id,
        modelVersion: answer.modelVersion,
        suggestions: answer.suggestions,
        dropped: answer.dropped,
      });
      if (answer.modelVersion !== (rec.modelVersion ?? ""))
        await call(this.store, setModelVersion, rec.id, answer.modelVersion);
      if (answer.dropped > 0)
        this.log.warn("recommender suggestions dropped", {
          recommender: rec.id,
          document: doc.id,
          dropped: answer.dropped,
        });
    } catch (err) {
      const message =
        err instanceof CircuitOpenError ? "circuit_open" : (err as Error).message || String(err);
      this.lastError.set(key, message);
      this.log.warn("recommender call failed", { recommender: rec.id, document: doc.id, error: message });
    }
  }
}
