/**
 * The agreement worker thread: computes reports, curation summaries, the project lists and the bytes of
 * exports on its own read-only connection to the server's SQLite file, so a cold report (1.2 s of CPU for
 * 10,000 documents × 3 annotators), a cold curation listing or an export of 100,000 documents never blocks
 * the server's event loop.
 * Jobs arrive one at a time from pool.ts; built as dist/agreementWorker.js (build.ts).
 */
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { ExportQuery } from "@gloss/shared";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { Db } from "../../db/client";
import * as schema from "../../db/schema";
import { HttpError } from "../../errors";
import { curationPageOrStale, staleSummaries } from "../curation/summaries";
import { createExport, type ExportJob } from "../export";
import { runList } from "../lists";
import { computeAgreement } from "./compute";
import {
  type AgreementWorkerData,
  type ExportPulled,
  type ExportStarted,
  transferables,
  type WorkerJob,
  type WorkerReply,
} from "./protocol";

const { dbFile } = workerData as AgreementWorkerData;
// Below the event loop in the scheduler: on Linux a thread's nice value is its own (setpriority on the calling
// thread), so on a busy machine the server's main thread gets the cores first and the report waits.
try {
  os.setPriority(10);
} catch {
  // not permitted here (or not per thread on this OS): the report just competes as an equal
}
// Read-only: the migrations are the server's job, and a reader can never take the write lock.
const sqlite = new Database(dbFile, { readonly: true, fileMustExist: true });
sqlite.pragma("busy_timeout = 5000");
const db = drizzle(sqlite, { schema }) as Db;

/** The exports being streamed: each pull reads the next chunk (one page at most), between other jobs. */
const exports = new Map<number, { job: ExportJob; chunks: Generator<Uint8Array>; pages: number }>();

function exportStart(stream: number, projectId: number, query: ExportQuery): ExportStarted {
  const job = createExport(db, projectId, query);
  exports.set(stream, { job, chunks: job.chunks(), pages: 0 });
  return { filename: job.filename, contentType: job.contentType, stats: job.stats };
}

function exportPull(stream: number): ExportPulled {
  const e = exports.get(stream);
  if (!e) throw new Error(`export ${stream}: no such stream`);
  let next: IteratorResult<Uint8Array>;
  try {
    next = e.chunks.next();
  } catch (err) {
    exports.delete(stream);
    throw err;
  }
  const pages = e.job.stats.pages - e.pages;
  e.pages = e.job.stats.pages;
  if (!next.done) return { chunk: next.value, pages };
  exports.delete(stream);
  return { chunk: null, pages, stats: e.job.stats };
}

function exportStop(stream: number): null {
  exports.get(stream)?.chunks.return(undefined);
  exports.delete(stream);
  return null;
}

function run(job: WorkerJob): unknown {
  switch (job.kind) {
    case "agreement":
      return computeAgreement(db, job.projectId, job.query);
    case "curationPage":
      return curationPageOrStale(db, job.access, job.query);
    case "staleSummaries":
      return staleSummaries(db, job.projectId);
    case "list":
      return runList(db, job.name, job.access, job.query);
    case "exportStart":
      return exportStart(job.stream, job.projectId, job.query);
    case "exportPull":
      return exportPull(job.stream);
    case "exportStop":
      return exportStop(job.stream);
  }
}

parentPort!.on("message", (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    reply = { id: job.id, ok: true, outcome: run(job) };
  } catch (err) {
    reply =
      err instanceof HttpError && err.status < 500
        ? {
            id: job.id,
            ok: false,
            http: { status: err.status, code: err.code, message: err.message, details: err.details },
          }
        : { id: job.id, ok: false, error: String((err as Error)?.stack ?? err) };
  }
  // typed arrays of an outcome (agreement rows, packed summaries, export chunks) move instead of being copied
  parentPort!.postMessage(reply, reply.ok ? transferables(reply.outcome) : []);
});
