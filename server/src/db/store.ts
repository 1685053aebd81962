/**
 * One set of services over two databases (issue 12): SQLite through better-sqlite3, whose calls are
 * synchronous, and PostgreSQL through node-postgres, whose calls are not.
 *
 * A service is written once, as a generator: it builds its queries with drizzle's builder (`store.q`, the
 * tables of `store.t`) and hands each one to the driver with `yield* all(query)`, `get`, `run` or
 * `transaction`. The SQLite driver answers each at once, so the whole service — transactions included —
 * runs synchronously within one call, exactly as before: nothing can interleave with a transaction, and no
 * promise is made per query. The PostgreSQL driver awaits each answer. (Babel's `gensync` is the same idea;
 * this one knows drizzle's queries and transactions.)
 *
 * Types: `q` and `t` are typed as the SQLite flavour for both; at run time a PostgreSQL store holds the
 * node-postgres drizzle instance and the tables of pgSchema.ts, which has the same tables and columns and
 * the same JavaScript values. So a service never calls a query's own `.all()`, `.get()` or `.run()` (SQLite
 * only): it yields it. SQL written by hand must be portable, or come from the dialect-aware helpers below.
 * A query that fails is thrown into the service at its `yield*`; inside a transaction, PostgreSQL then
 * refuses everything until the transaction ends, so a service that wants to go on after a failure wraps
 * the attempt in a nested `transaction` (a savepoint, on both).
 */
import type Database from "better-sqlite3";
import { gt, type Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type pg from "pg";
import type { Db } from "./client";
import type { PgDb } from "./pg";
import * as pgSchema from "./pgSchema";
import * as schema from "./schema";

export interface SqliteStore {
  readonly dialect: "sqlite";
  readonly q: Db;
  readonly t: typeof schema;
  readonly sqlite: Database.Database;
}

export interface PgStore {
  readonly dialect: "pg";
  /** node-postgres drizzle (or a transaction of it), typed as the SQLite flavour: see the module comment. */
  readonly q: Db;
  readonly t: typeof schema;
  readonly pool: pg.Pool;
}

export type Store = SqliteStore | PgStore;

/** What a service yields to its driver. */
export type Op =
  | { readonly kind: "all" | "get" | "run"; readonly query: unknown }
  | { readonly kind: "all:p" | "get:p" | "run:p"; readonly query: unknown; readonly params: Params }
  | { readonly kind: "tx"; readonly body: (tx: Store) => Gen<unknown> };

/** Values for a prepared query's `sql.placeholder`s. */
export type Params = Record<string, unknown>;

/** A prepared query, typed as SQLite's (PostgreSQL's runs with `execute`). */
interface Prepared<T> {
  all(params?: Params): T[];
  get(params?: Params): T | undefined;
  run(params?: Params): unknown;
}

/** A service's body: yields queries, returns T. Run it with `execute` (or `executeSync` on SQLite). */
export type Gen<T> = Generator<Op, T, unknown>;

/** Every row of a query. */
export function* all<T>(query: { all(): T[] }): Gen<T[]> {
  return (yield { kind: "all", query }) as T[];
}

/** The first row of a query (add `.limit(1)` when more may match). */
export function* get<T>(query: { get(): T | undefined }): Gen<T | undefined> {
  return (yield { kind: "get", query }) as T | undefined;
}

/** Runs an insert, update or delete; use `.returning()` with `all`/`get` to learn what it changed. */
export function* run(query: { run(): unknown }): Gen<void> {
  yield { kind: "run", query };
}

/** Every row of a prepared query (see `perStore`). */
export function* allWith<T>(query: Pick<Prepared<T>, "all">, params: Params): Gen<T[]> {
  return (yield { kind: "all:p", query, params }) as T[];
}

/** The first row of a prepared query. */
export function* getWith<T>(query: Pick<Prepared<T>, "get">, params: Params): Gen<T | undefined> {
  return (yield { kind: "get:p", query, params }) as T | undefined;
}

/** Runs a prepared insert, update or delete. */
export function* runWith(query: Pick<Prepared<unknown>, "run">, params: Params): Gen<void> {
  yield { kind: "run:p", query, params };
}

/**
 * Runs `body` in a transaction (a savepoint when one is open): committed when it returns, rolled back when
 * it throws. `body` builds its queries from the store it is given.
 */
export function* transaction<T>(body: (tx: Store) => Gen<T>): Gen<T> {
  return (yield { kind: "tx", body }) as T;
}

interface SqliteQuery {
  all(params?: Params): unknown[];
  get(params?: Params): unknown;
  run(params?: Params): unknown;
}

interface PgPrepared {
  execute(params?: Params): Promise<unknown>;
}

/** Drives a service on SQLite: every answer at once, so it returns before anything else can run. */
export function executeSync<T>(store: SqliteStore, gen: Gen<T>): T {
  let answer: unknown;
  let failure: { err: unknown } | null = null;
  for (;;) {
    const step = failure ? gen.throw(failure.err) : gen.next(answer);
    if (step.done) return step.value;
    failure = null;
    try {
      answer = sqliteAnswer(store, step.value);
    } catch (err) {
      failure = { err };
    }
  }
}

function sqliteAnswer(store: SqliteStore, op: Op): unknown {
  switch (op.kind) {
    case "all":
      return (op.query as SqliteQuery).all();
    case "get":
      return (op.query as SqliteQuery).get();
    case "run":
      (op.query as SqliteQuery).run();
      return undefined;
    case "all:p":
      return (op.query as SqliteQuery).all(op.params);
    case "get:p":
      return (op.query as SqliteQuery).get(op.params);
    case "run:p":
      (op.query as SqliteQuery).run(op.params);
      return undefined;
    case "tx":
      // better-sqlite3's transaction: BEGIN, or a savepoint inside one; rolled back if the body throws
      return store.sqlite.transaction(() => executeSync(store, op.body(store) as Gen<unknown>))();
  }
}

/** Drives a service on PostgreSQL, awaiting each answer. */
async function executeAsync<T>(store: PgStore, gen: Gen<T>): Promise<T> {
  let answer: unknown;
  let failure: { err: unknown } | null = null;
  for (;;) {
    const step = failure ? gen.throw(failure.err) : gen.next(answer);
    if (step.done) return step.value;
    failure = null;
    try {
      answer = await pgAnswer(store, step.value);
    } catch (err) {
      failure = { err };
    }
  }
}

async function pgAnswer(store: PgStore, op: Op): Promise<unknown> {
  switch (op.kind) {
    case "all":
      return await (op.query as PromiseLike<unknown[]>);
    case "get":
      return (await (op.query as PromiseLike<unknown[]>))[0];
    case "run":
      await (op.query as PromiseLike<unknown>);
      return undefined;
    case "all:p":
      return await (op.query as PgPrepared).execute(op.params);
    case "get:p":
      return ((await (op.query as PgPrepared).execute(op.params)) as unknown[])[0];
    case "run:p":
      await (op.query as PgPrepared).execute(op.params);
      return undefined;
    case "tx": {
      const pgDb = store.q as unknown as PgDb;
      // drizzle's node-postgres transaction: one pooled connection, BEGIN … COMMIT, savepoints when nested
      return pgDb.transaction((tx) =>
        executeAsync({ ...store, q: tx as unknown as Db }, op.body({ ...store, q: tx as unknown as Db })),
      );
    }
  }
}

/** Runs a service on either database (already settled on SQLite). */
export function execute<T>(store: Store, gen: Gen<T>): Promise<T> {
  if (store.dialect === "pg") return executeAsync(store, gen);
  try {
    return Promise.resolve(executeSync(store, gen));
  } catch (err) {
    return Promise.reject(err);
  }
}

const sqliteStores = new WeakMap<Db, SqliteStore>();

/** The store over a SQLite database (one per database). */
export function sqliteStore(db: Db): SqliteStore {
  let store = sqliteStores.get(db);
  if (!store) {
    store = { dialect: "sqlite", q: db, t: schema, sqlite: db.$client };
    sqliteStores.set(db, store);
  }
  return store;
}

const pgStores = new WeakMap<PgDb, PgStore>();

/** The store over a PostgreSQL database (openPg; one per database). */
export function pgStore(db: PgDb): PgStore {
  let store = pgStores.get(db);
  if (!store) {
    store = {
      dialect: "pg",
      q: db as unknown as Db,
      t: pgSchema as unknown as typeof schema,
      pool: db.$client,
    };
    pgStores.set(db, store);
  }
  return store;
}

/** Case-insensitive "contains" on a text column, for the listings' `?q=` search (one rule for all of them). */
export const containsText = (store: Pick<Store, "dialect">, column: SQLWrapper, q: string): SQL =>
  store.dialect === "pg"
    ? gt(sql`strpos(lower(${column}), lower(${q}))`, 0)
    : gt(sql`instr(lower(${column}), lower(${q}))`, 0);

/**
 * `column IN` a list of ids bound as one parameter, however many: SQLite reads a JSON array with json_each
 * (no parameter limit, and it still seeks the column's index once per id), PostgreSQL takes an int[].
 * A placeholder is bound later to `JSON.stringify(ids)` on SQLite and to the array itself on PostgreSQL.
 */
export function inIds(
  store: Pick<Store, "dialect">,
  column: SQLWrapper,
  ids: readonly number[] | Placeholder,
): SQL {
  if (store.dialect === "pg") {
    // sql.param: drizzle would spread a bare array into `($1, $2, …)`; node-postgres sends it as one array
    return sql`${column} = any(${Array.isArray(ids) ? sql.param(ids) : ids}::int[])`;
  }
  return sql`${column} in (select value from json_each(${Array.isArray(ids) ? JSON.stringify(ids) : ids}))`;
}

/** Whether `db` is a store (a drizzle database has a `dialect` too, but an object). */
export const isStore = (db: Db | Store): db is Store =>
  typeof (db as { dialect?: unknown }).dialect === "string";

/** A SQLite database or a store, as the store. */
export const storeOf = (db: Db | Store): Store => (isStore(db) ? db : sqliteStore(db));

/**
 * What identifies a store's database, for what is kept per database (caches, registries): the SQLite
 * connection or the PostgreSQL pool — a transaction's store is its database's.
 */
export const databaseOf = (store: Store): object => (store.dialect === "pg" ? store.pool : store.sqlite);

/** `execute(store, fn(store, ...args))`: how routes and the CLI call a service. */
export function call<A extends unknown[], T>(
  store: Store,
  fn: (store: Store, ...args: A) => Gen<T>,
  ...args: A
): Promise<T> {
  return execute(store, fn(store, ...args));
}

/** A service called from code still written against SQLite alone (synchronous, e.g. inside its transaction). */
export function callSync<A extends unknown[], T>(
  db: Db,
  fn: (store: Store, ...args: A) => Gen<T>,
  ...args: A
): T {
  const store = sqliteStore(db);
  return executeSync(store, fn(store, ...args));
}

/**
 * Builds something once per database (typically prepared queries) and returns the same value afterwards:
 * `perStore(build)(store)`. A transaction's store shares its database's value, so prepared queries run
 * outside the transaction on PostgreSQL (its pool, not the transaction's connection): a service uses them
 * only outside transactions.
 */
export function perStore<T>(build: (store: Store) => T): (store: Store) => T {
  const cache = new WeakMap<object, T>();
  return (store) => {
    const key = databaseOf(store);
    let value = cache.get(key);
    if (value === undefined) {
      value = build(store);
      cache.set(key, value);
    }
    return value;
  };
}

/**
 * Prepares a query: SQLite's statement, or PostgreSQL's named statement (`name` must be unique per query
 * text; node-postgres prepares it on each connection at its first use there).
 */
export function prepare<Q extends { prepare(): unknown }>(
  store: Store,
  name: string,
  query: Q,
): ReturnType<Q["prepare"]> {
  if (store.dialect === "pg")
    return (query as unknown as { prepare(n: string): unknown }).prepare(name) as ReturnType<Q["prepare"]>;
  return query.prepare() as ReturnType<Q["prepare"]>;
}

/**
 * Runs a service at once on SQLite (its value, within the caller's tick) or on PostgreSQL (a promise): for
 * the collaboration loop, which must not defer on SQLite what it decided synchronously before.
 */
export function executeEager<T>(store: Store, gen: Gen<T>): T | Promise<T> {
  return store.dialect === "sqlite" ? executeSync(store, gen) : executeAsync(store, gen);
}

/** `executeEager(store, fn(store, ...args))`. */
export function callEager<A extends unknown[], T>(
  store: Store,
  fn: (store: Store, ...args: A) => Gen<T>,
  ...args: A
): T | Promise<T> {
  return executeEager(store, fn(store, ...args));
}
