/**
 * The agreement worker thread: computes reports, curation summaries, the project lists and the bytes of
 * exports on its own connection to the server's database — read-only to its SQLite file, or a small pool to
 * its PostgreSQL database — so a cold report (1.2 s of CPU for 10,000 documents × 3 annotators), a cold
 * curation listing or an export of 100,000 documents never blocks the server's event loop.
 * Jobs arrive one at a time from pool.ts and run as services over the store (services are generators: see
 * db/store.ts): on SQLite each job runs synchronously and its reply is posted at once, as before; on
 * PostgreSQL the queries are awaited and the jobs run one after the other, in the order they came.
 * Built as dist/agreementWorker.js (build.ts).
 */
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { ExportQuery } from "@gloss/shared";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { Db } from "../../db/client";
import { closePg, openPg, type PgDb } from "../../db/pg";
import * as schema from "../../db/schema";
import { execute, executeSync, type Gen, pgStore, type Store, sqliteStore } from "../../db/store";
import { HttpError } from "../../errors";
import { curationPageOrStale, staleSummaries } from "../curation/summaries";
import { type ExportJob, type ExportReader, planExport } from "../export";
import { listRun } from "../lists";
import { agreementOutcome } from "./compute";
import {
  type AgreementWorkerData,
  type ExportPulled,
  type ExportStarted,
  transferables,
  type WorkerJob,
  type WorkerReply,
} from "./protocol";

const { db: target } = workerData as AgreementWorkerData;
// Below the event loop in the scheduler: on Linux a thread's nice value is its own (setpriority on the calling
// thread), so on a busy machine the server's main thread gets the cores first and the report waits.
try {
  os.setPriority(10);
} catch {
  // not permitted here (or not per thread on this OS): the report just competes as an equal
}

/** The worker's database: SQLite read-only (the migrations are the server's job, and a reader never takes the write lock). */
function openSqlite(file: string): Store {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  return sqliteStore(drizzle(sqlite, { schema }) as Db);
}

const pg: Promise<PgDb> | null = target.dialect === "pg" ? openPg(target.url, { max: 2 }) : null;
const store: Store | Promise<Store> =
  target.dialect === "sqlite" ? openSqlite(target.file) : pg!.then((db) => pgStore(db));
// a failure to connect is the first job's answer (and every later one's), not an unhandled rejection
if (store instanceof Promise) store.catch(() => {});

/** The exports being streamed: each pull reads the next chunk (one page at most), between other jobs. */
const exports = new Map<number, { job: ExportJob; reader: ExportReader; pages: number }>();

function* exportStart(s: Store, stream: number, projectId: number, query: ExportQuery): Gen<ExportStarted> {
  const job = yield* planExport(s, projectId, query);
  exports.set(stream, { job, reader: job.open(), pages: 0 });
  return { filename: job.filename, contentType: job.contentType, stats: job.stats };
}

function* exportPull(stream: number): Gen<ExportPulled> {
  const e = exports.get(stream);
  if (!e) throw new Error(`export ${stream}: no such stream`);
  let chunk: Uint8Array | null;
  try {
    chunk = yield* e.reader.pull();
  } catch (err) {
    exports.delete(stream);
    throw err;
  }
  const pages = e.job.stats.pages - e.pages;
  e.pages = e.job.stats.pages;
  if (chunk) return { chunk, pages };
  exports.delete(stream);
  return { chunk: null, pages, stats: e.job.stats };
}

function exportStop(stream: number): null {
  exports.get(stream)?.reader.stop();
  exports.delete(stream);
  return null;
}

// biome-ignore lint/correctness/useYield: a job that reads nothing is a service too
function* value<T>(v: T): Gen<T> {
  return v;
}

/** A job as a service over the worker's store. */
function service(s: Store, job: Exclude<WorkerJob, { kind: "close" }>): Gen<unknown> {
  switch (job.kind) {
    case "agreement":
      return agreementOutcome(s, job.projectId, job.query);
    case "curationPage":
      return curationPageOrStale(s, job.access, job.query);
    case "staleSummaries":
      return staleSummaries(s, job.projectId);
    case "list":
      return listRun(s, job.name, job.access, job.query);
    case "exportStart":
      return exportStart(s, job.stream, job.projectId, job.query);
    case "exportPull":
      return exportPull(job.stream);
    case "exportStop":
      return value(exportStop(job.stream));
  }
}

function failure(id: number, err: unknown): WorkerReply {
  return err instanceof HttpError && err.status < 500
    ? {
        id,
        ok: false,
        http: { status: err.status, code: err.code, message: err.message, details: err.details },
      }
    : { id, ok: false, error: String((err as Error)?.stack ?? err) };
}

function post(reply: WorkerReply): void {
  // typed arrays of an outcome (agreement rows, packed summaries, export chunks) move instead of being copied
  parentPort!.postMessage(reply, reply.ok ? transferables(reply.outcome) : []);
}

/** PostgreSQL: the jobs in arrival order, one at a time (an export's pulls must not overlap). */
let queue: Promise<void> = Promise.resolve();

async function close(): Promise<void> {
  await queue;
  for (const stream of [...exports.keys()]) exportStop(stream);
  if (pg) await closePg(await pg).catch(() => {});
  else if (!(store instanceof Promise)) (store as { sqlite?: Database.Database }).sqlite?.close();
  process.exit(0);
}

parentPort!.on("message", (job: WorkerJob) => {
  if (job.kind === "close") {
    void close();
    return;
  }
  if (!(store instanceof Promise) && store.dialect === "sqlite") {
    let reply: WorkerReply;
    try {
      reply = { id: job.id, ok: true, outcome: executeSync(store, service(store, job)) };
    } catch (err) {
      reply = failure(job.id, err);
    }
    post(reply);
    return;
  }
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      const s = await store;
      reply = { id: job.id, ok: true, outcome: await execute(s, service(s, job)) };
    } catch (err) {
      reply = failure(job.id, err);
    }
    post(reply);
  });
});
