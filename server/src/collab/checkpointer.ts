/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit crosses
 * the WAL threshold and fsyncs the database file there: measured here as a 10–12 ms stall of the event
 * loop every few hundred commits, which every client of every room then waits for (the update log commits
 * before it fans out). With a file database in WAL mode, collab turns the automatic checkpoint off on its
 * connection and a worker thread with its own connection runs PASSIVE checkpoints (which never block
 * writers) on an interval. If the worker stops or fails, the automatic checkpoint is turned back on.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { Logger } from "../log";

// Plain CommonJS evaluated in the worker (no TypeScript loader needed there, in tsx, vitest or node).
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const checkpoint = () => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch (err) { parentPort.postMessage(String(err)); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts the background checkpointer for a WAL file database; null for `:memory:` or other journals. */
export function startCheckpointer(
  sqlite: Database.Database,
  log: Logger,
  intervalMs = 500,
): Checkpointer | null {
  if (sqlite.memory || !sqlite.name || sqlite.pragma("journal_mode", { simple: true }) !== "wal") return null;
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER, { eval: true, workerData: { file: sqlite.name, driver, intervalMs } });
  // Never what keeps a process alive; collab.close() stops it properly.
  worker.unref();
  sqlite.pragma("wal_autocheckpoint = 0");
  let running = true;
  const restore = () => {
    if (!running) return;
    running = false;
    if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("message", (err) => log.warn("collab: background checkpoint failed", { err: String(err) }));
  worker.on("error", (err) => {
    log.error("collab: checkpoint worker failed; automatic checkpoints are back on", { err: String(err) });
    restore();
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  exited.then(restore);
  return {
    async stop() {
      if (!running) return;
      // Hold the process open until the worker has finished: awaiting an unref'd worker lets a CLI's event
      // loop run dry, and Node then exits mid-close with code 0 (losing the command's exit code).
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
