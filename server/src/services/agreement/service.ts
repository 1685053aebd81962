/**
 * GET /projects/:id/agreement's reports, kept off the event loop and computed once: each (project, query)
 * report is computed in the worker thread (pool.ts), requests for the same one while it runs share that
 * computation, and the serialized result is kept (LRU, bounded in entries and bytes) until the project's
 * data changes. A `:memory:` database (tests) has no file a worker could open: it computes on the main thread.
 * On PostgreSQL the worker connects to the same database (its own small pool), and what a report stands on
 * is read from the database itself — the sum of the project's curation stamps, which triggers bump on every
 * change of its spans, relations, layer states, gold rejections, assignments and labels, whichever server
 * made it — so the cache is right with several servers over one database. On SQLite the version also
 * counts this process's projection writes and `PRAGMA data_version` (a commit by another process).
 */
import type { AgreementQuery } from "@gloss/shared";
import { count, eq, max, sql, sum } from "drizzle-orm";
import { projectionVersion } from "../../collab/projection";
import type { Db } from "../../db/client";
import { allWith, databaseOf, execute, getWith, perStore, type Store, storeOf } from "../../db/store";
import type { Logger } from "../../log";
import { agreementOutcome } from "./compute";
import { AgreementWorker } from "./pool";
import { type AgreementOutcome, type DbDescriptor, rowOf } from "./protocol";

/** Reports kept: a few dozen, and at most this many characters of JSON (10,000 documents ≈ 4.4 M). */
const MAX_ENTRIES = 32;
const MAX_BYTES = 128 * 1024 * 1024;

/** A report and whether it came from the cache. */
export interface AgreementAnswer {
  outcome: AgreementOutcome;
  cached: boolean;
}

interface Entry {
  version: string;
  outcome: AgreementOutcome;
  size: number;
}

/** The characters of JSON an outcome holds (what the cache's bound counts). */
const sizeOf = (o: AgreementOutcome) => o.head.length + o.rows.byteLength + o.names.byteLength;

/** Each row's document name, sliced once per outcome. */
const namesOf = new WeakMap<AgreementOutcome, string[]>();
function names(o: AgreementOutcome): string[] {
  let list = namesOf.get(o);
  if (!list) {
    list = Array.from(o.nameEnds, (_, i) => rowOf(o.names, o.nameEnds, i));
    namesOf.set(o, list);
  }
  return list;
}

/** The document table's page a request asks for. */
export interface DocumentPage {
  limit: number;
  offset: number;
  q?: string;
  sort: "disagreement" | "name" | "id";
}

/** Row orders of an outcome by sort, made once per outcome (a few ms at 10,000 documents). */
const orders = new WeakMap<AgreementOutcome, Map<string, number[]>>();

function orderOf(o: AgreementOutcome, sort: DocumentPage["sort"]): number[] {
  let byOutcome = orders.get(o);
  if (!byOutcome) {
    byOutcome = new Map();
    orders.set(o, byOutcome);
  }
  let order = byOutcome.get(sort);
  if (!order) {
    order = Array.from(o.rowEnds, (_, i) => i);
    if (sort === "id") order.sort((a, b) => o.ids[a]! - o.ids[b]!);
    else if (sort === "name") {
      const n = names(o);
      order.sort((a, b) => (n[a]! < n[b]! ? -1 : n[a]! > n[b]! ? 1 : o.ids[a]! - o.ids[b]!));
    }
    byOutcome.set(sort, order);
  }
  return order;
}

/**
 * The response body for one page of the document table: the report's head with `total` and the page's rows
 * joined in (strings only: nothing is serialized here).
 */
export function reportPage(o: AgreementOutcome, page: DocumentPage): string {
  let order = orderOf(o, page.sort);
  const q = page.q?.trim().toLowerCase();
  if (q) {
    const n = names(o);
    order = order.filter((i) => n[i]!.toLowerCase().includes(q));
  }
  const rows = order.slice(page.offset, page.offset + page.limit).map((i) => rowOf(o.rows, o.rowEnds, i));
  return `${o.head.slice(0, -1)},"total":${order.length},"perDocument":[${rows.join(",")}]}`;
}

/** The reads behind a report's version, prepared once per database. */
const statements = perStore((store) => {
  const { documents, labels, curationStamps } = store.t;
  return {
    stamps: store.q
      .select({ n: count(), sum: sum(curationStamps.n) })
      .from(curationStamps)
      .innerJoin(documents, eq(documents.id, curationStamps.documentId))
      .where(eq(documents.projectId, sql.placeholder("project")))
      .prepare(),
    documents: store.q
      .select({ n: count(), last: max(documents.id) })
      .from(documents)
      .where(eq(documents.projectId, sql.placeholder("project")))
      .prepare(),
    labels: store.q
      .select({ id: labels.id, name: labels.name, order: labels.order })
      .from(labels)
      .where(eq(labels.projectId, sql.placeholder("project")))
      .prepare(),
  };
});

/** What a worker opens to read the database of `store`; null for SQLite's `:memory:` (no file to open). */
function descriptorOf(store: Store): DbDescriptor | null {
  if (store.dialect === "pg") {
    const url = store.pool.options.connectionString;
    if (!url) throw new Error("agreement: the PostgreSQL pool has no connection string for its worker");
    return { dialect: "pg", url };
  }
  return store.sqlite.memory ? null : { dialect: "sqlite", file: store.sqlite.name };
}

/** Agreement reports of one database, cached per (project, query). */
export class AgreementService {
  private readonly cache = new Map<string, Entry>();
  private bytes = 0;
  private readonly running = new Map<string, Promise<AgreementOutcome>>();
  /**
   * The worker thread over this database (null for `:memory:`); curation summaries, lists and exports use
   * it too.
   */
  readonly worker: AgreementWorker | null;
  /** How many reports were computed (not served from the cache or a running computation): for tests. */
  computed = 0;

  constructor(
    private readonly store: Store,
    log: Logger,
  ) {
    const target = descriptorOf(store);
    this.worker = target ? new AgreementWorker(target, log) : null;
  }

  /** The report of `projectId` for `query` (validated: a bad filter rejects with a 400 HttpError). */
  async report(projectId: number, query: Partial<AgreementQuery>): Promise<AgreementAnswer> {
    const key = `${projectId} ${queryKey(query)}`;
    const version = await this.version(projectId);
    const hit = this.cache.get(key);
    if (hit?.version === version) {
      // most recently used last
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { outcome: hit.outcome, cached: true };
    }
    const runKey = `${key} ${version}`;
    const running = this.running.get(runKey);
    if (running) return { outcome: await running, cached: true };
    const job = this.compute(projectId, query);
    this.running.set(runKey, job);
    try {
      const outcome = await job;
      this.keep(key, { version, outcome, size: sizeOf(outcome) });
      return { outcome, cached: false };
    } finally {
      this.running.delete(runKey);
    }
  }

  /** Ends the worker thread (the server is shutting down). */
  close(): Promise<void> {
    this.cache.clear();
    this.bytes = 0;
    return this.worker?.close() ?? Promise.resolve();
  }

  private compute(projectId: number, query: Partial<AgreementQuery>): Promise<AgreementOutcome> {
    this.computed++;
    if (this.worker) return this.worker.run(projectId, query);
    return execute(this.store, agreementOutcome(this.store, projectId, query));
  }

  /**
   * What a report stands on, changing whenever it may: the project's curation stamps (bumped by triggers on
   * every change of what agreement reads: spans, relations, layer states, assignments, labels), its
   * documents (added or deleted) and labels (renamed or reordered); on SQLite also the projection's writes
   * to the project by this process and a commit by another one (`PRAGMA data_version`: `gloss rebuild`, an
   * import). Read before the computation: a change while it runs leaves the report under the older version,
   * so the next request computes again.
   */
  private async version(projectId: number): Promise<string> {
    const store = this.store;
    const read = statements(store);
    const [stamps, docs, labelRows] = await execute(
      store,
      (function* () {
        return [
          yield* getWith(read.stamps, { project: projectId }),
          yield* getWith(read.documents, { project: projectId }),
          yield* allWith(read.labels, { project: projectId }),
        ] as const;
      })(),
    );
    const local =
      store.dialect === "sqlite"
        ? [projectionVersion(store.sqlite, projectId), store.sqlite.pragma("data_version", { simple: true })]
        : [];
    return JSON.stringify([
      ...local,
      Number(stamps?.n ?? 0),
      Number(stamps?.sum ?? 0),
      docs?.n ?? 0,
      docs?.last ?? 0,
      labelRows,
    ]);
  }

  private keep(key: string, entry: Entry): void {
    const old = this.cache.get(key);
    if (old) {
      this.cache.delete(key);
      this.bytes -= old.size;
    }
    this.cache.set(key, entry);
    this.bytes += entry.size;
    for (const [k, e] of this.cache) {
      if (this.cache.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      if (k === key) continue;
      this.cache.delete(k);
      this.bytes -= e.size;
    }
  }
}

/**
 * The query as a key: the same filters give the same key whatever order the object's fields came in. The
 * document table's page is not part of it: every page is cut from the same report.
 */
function queryKey(q: Partial<AgreementQuery>): string {
  return JSON.stringify([
    q.labels ?? null,
    q.documents ?? null,
    q.annotators ?? null,
    q.layers ?? null,
    q.minIou ?? 0,
  ]);
}

const services = new WeakMap<object, AgreementService>();

/** The agreement service of a database (one per server, made on first use). */
export function agreementService(db: Db | Store, log: Logger): AgreementService {
  const store = storeOf(db);
  const key = databaseOf(store);
  let service = services.get(key);
  if (!service) {
    service = new AgreementService(store, log);
    services.set(key, service);
  }
  return service;
}

/** Ends the agreement worker of a database, if one started (the server's shutdown). */
export async function closeAgreement(db: Db | Store): Promise<void> {
  const key = databaseOf(storeOf(db));
  const service = services.get(key);
  services.delete(key);
  await service?.close();
}
