/**
 * The agreement worker thread: computes reports (and curation summaries) on its own read-only connection to
 * the server's SQLite file, so a cold report (1.2 s of CPU for 10,000 documents × 3 annotators) or a cold
 * curation listing never blocks the server's event loop.
 * Jobs arrive one at a time from pool.ts; built as dist/agreementWorker.js (build.ts).
 */
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { Db } from "../../db/client";
import * as schema from "../../db/schema";
import { HttpError } from "../../errors";
import { curationPageOrStale } from "../curation/summaries";
import { runList } from "../lists";
import { computeAgreement } from "./compute";
import type { AgreementWorkerData, WorkerJob, WorkerReply } from "./protocol";

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

parentPort!.on("message", (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    const outcome =
      job.kind === "agreement"
        ? computeAgreement(db, job.projectId, job.query)
        : job.kind === "curationPage"
          ? curationPageOrStale(db, job.access, job.query)
          : runList(db, job.name, job.access, job.query);
    reply = { id: job.id, ok: true, outcome };
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
  parentPort!.postMessage(reply);
});
