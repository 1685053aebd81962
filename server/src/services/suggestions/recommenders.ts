/**
 * A project's recommenders (issue 14): create, list, change, delete (audited), the remembered rejections of
 * each annotator, and the cached answers of external recommenders. Generators over the store, so they run
 * on SQLite and PostgreSQL alike.
 */
import {
  LabelStudioConfig,
  MAX_RECOMMENDERS_PER_PROJECT,
  type RecommenderDto,
  type RecommenderInput,
  type RecommenderKind,
  type RecommenderPatch,
  StringMatchConfig,
} from "@gloss/shared";
import { and, asc, count, eq } from "drizzle-orm";
import type { recommenders, suggestionCache } from "../../db/schema";
import { all, type Gen, get, run, type Store, transaction } from "../../db/store";
import { HttpError, notFound } from "../../errors";
import { recordAudit } from "../audit";

export type RecommenderRow = typeof recommenders.$inferSelect;
export type CachedSuggestion = (typeof suggestionCache.$inferSelect)["suggestions"][number];

/** The wire shape of a recommender row. */
export const toRecommenderDto = (r: RecommenderRow): RecommenderDto => ({
  id: r.id,
  projectId: r.projectId,
  name: r.name,
  kind: r.kind,
  config: r.config,
  enabled: r.enabled,
  modelVersion: r.modelVersion,
  createdAt: r.createdAt,
});

/** A kind's configuration, validated and with its defaults (a 400 naming `config.<field>` otherwise). */
export function parseConfig(kind: RecommenderKind, config: unknown): Record<string, unknown> {
  const schema = kind === "string-match" ? StringMatchConfig : LabelStudioConfig;
  const parsed = schema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ["config", ...(issue?.path ?? [])].join(".");
    throw new HttpError(400, "invalid_input", `${field}: ${issue?.message ?? "invalid"}`, { field });
  }
  return parsed.data;
}

/** The project's recommenders in creation order; `enabledOnly` for the ones that propose. */
export function* listRecommenders(
  store: Store,
  projectId: number,
  enabledOnly = false,
): Gen<RecommenderRow[]> {
  const { recommenders: r } = store.t;
  const where = enabledOnly
    ? and(eq(r.projectId, projectId), eq(r.enabled, true))
    : eq(r.projectId, projectId);
  return yield* all(store.q.select().from(r).where(where).orderBy(asc(r.id)));
}

/** One recommender of the project, or a 404. */
export function* getRecommender(store: Store, projectId: number, id: number): Gen<RecommenderRow> {
  const { recommenders: r } = store.t;
  const row = yield* get(
    store.q
      .select()
      .from(r)
      .where(and(eq(r.projectId, projectId), eq(r.id, id)))
      .limit(1),
  );
  if (!row) throw notFound(`No recommender ${id} in this project`);
  return row;
}

export function* createRecommender(
  _store: Store,
  userId: number,
  projectId: number,
  input: RecommenderInput,
): Gen<RecommenderRow> {
  const config = parseConfig(input.kind, input.config);
  return yield* transaction(function* (tx) {
    const [{ n }] = (yield* all(
      tx.q.select({ n: count() }).from(tx.t.recommenders).where(eq(tx.t.recommenders.projectId, projectId)),
    )) as [{ n: number }];
    if (Number(n) >= MAX_RECOMMENDERS_PER_PROJECT)
      throw new HttpError(
        409,
        "too_many_recommenders",
        `A project has at most ${MAX_RECOMMENDERS_PER_PROJECT} recommenders: delete one first`,
      );
    const row = (yield* get(
      tx.q
        .insert(tx.t.recommenders)
        .values({
          projectId,
          name: input.name,
          kind: input.kind,
          config,
          enabled: input.enabled,
          createdBy: userId,
        })
        .returning(),
    ))!;
    yield* recordAudit(tx, {
      userId,
      projectId,
      action: "recommender.create",
      target: `recommender:${row.id}`,
      details: { name: row.name, kind: row.kind, enabled: row.enabled },
    });
    return row;
  });
}

/**
 * Changes a recommender. A new configuration forgets the model version and the cached answers: they
 * belong to what it pointed at before.
 */
export function* updateRecommender(
  store: Store,
  userId: number,
  projectId: number,
  id: number,
  patch: RecommenderPatch,
): Gen<RecommenderRow> {
  const before = yield* getRecommender(store, projectId, id);
  const config = patch.config === undefined ? undefined : parseConfig(before.kind, patch.config);
  return yield* transaction(function* (tx) {
    const { recommenders: r, suggestionCache: cache } = tx.t;
    const row = (yield* get(
      tx.q
        .update(r)
        .set({
          name: patch.name ?? before.name,
          enabled: patch.enabled ?? before.enabled,
          ...(config ? { config, modelVersion: null } : {}),
        })
        .where(eq(r.id, id))
        .returning(),
    ))!;
    if (config) yield* run(tx.q.delete(cache).where(eq(cache.recommenderId, id)));
    yield* recordAudit(tx, {
      userId,
      projectId,
      action: "recommender.update",
      target: `recommender:${id}`,
      details: { ...patch, config: config ? "changed" : undefined },
    });
    return row;
  });
}

/** Deletes a recommender, its rejections and its cache (cascades). */
export function* deleteRecommender(store: Store, userId: number, projectId: number, id: number): Gen<void> {
  const before = yield* getRecommender(store, projectId, id);
  yield* transaction(function* (tx) {
    yield* run(tx.q.delete(tx.t.recommenders).where(eq(tx.t.recommenders.id, id)));
    yield* recordAudit(tx, {
      userId,
      projectId,
      action: "recommender.delete",
      target: `recommender:${id}`,
      details: { name: before.name, kind: before.kind },
    });
  });
}

/** Records what the backend reported as its model version. */
export function* setModelVersion(store: Store, id: number, modelVersion: string): Gen<void> {
  const { recommenders: r } = store.t;
  yield* run(store.q.update(r).set({ modelVersion }).where(eq(r.id, id)));
}

export interface RejectionKey {
  documentId: number;
  userId: number;
  recommenderId: number;
  /** UTF-16, as in the layer. */
  start: number;
  end: number;
  labelId: number;
}

/** Remembers a rejection (again: nothing changes). */
export function* rejectSuggestion(store: Store, key: RejectionKey): Gen<void> {
  yield* run(store.q.insert(store.t.suggestionRejections).values(key).onConflictDoNothing());
}

/** `recommender:start:end:label` (UTF-16) of every suggestion the user rejected in the document. */
export function* rejectedKeys(store: Store, documentId: number, userId: number): Gen<Set<string>> {
  const { suggestionRejections: sr } = store.t;
  const rows = yield* all(
    store.q
      .select()
      .from(sr)
      .where(and(eq(sr.documentId, documentId), eq(sr.userId, userId))),
  );
  return new Set(rows.map((r) => suggestionKey(r.recommenderId, r.start, r.end, r.labelId)));
}

/** One suggestion's identity: recommender, UTF-16 offsets, label. */
export const suggestionKey = (recommender: number, start: number, end: number, label: number) =>
  `${recommender}:${start}:${end}:${label}`;

/** An external recommender's cached answer for the document at that model version, if any. */
export function* cachedSuggestions(
  store: Store,
  documentId: number,
  recommenderId: number,
  modelVersion: string,
): Gen<{ suggestions: CachedSuggestion[]; dropped: number } | undefined> {
  const { suggestionCache: c } = store.t;
  return yield* get(
    store.q
      .select({ suggestions: c.suggestions, dropped: c.dropped })
      .from(c)
      .where(
        and(
          eq(c.documentId, documentId),
          eq(c.recommenderId, recommenderId),
          eq(c.modelVersion, modelVersion),
        ),
      )
      .limit(1),
  );
}

/** Stores an external recommender's answer (replacing one at the same model version). */
export function* cacheSuggestions(
  store: Store,
  row: {
    documentId: number;
    recommenderId: number;
    modelVersion: string;
    suggestions: CachedSuggestion[];
    dropped: number;
  },
): Gen<void> {
  const { suggestionCache: c } = store.t;
  yield* run(
    store.q
      .insert(c)
      .values(row)
      .onConflictDoUpdate({
        target: [c.documentId, c.recommenderId, c.modelVersion],
        set: { suggestions: row.suggestions, dropped: row.dropped },
      }),
  );
}
