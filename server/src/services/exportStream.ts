/**
 * An export as the HTTP route streams it: bytes pulled one chunk at a time, from the worker thread when the
 * database is a file (the pages are read and encoded there, on its own read-only connection, so an export of
 * 100,000 documents costs the event loop one message per 64 KiB chunk), or on this thread for an in-memory
 * database (tests), where each chunk is one synchronous page. Either way the export is counted in the
 * database's export activity (shutdown drains it) and logs its one line at the end. On PostgreSQL the
 * worker connects to the same database and streams it the same way.
 */
import type { ExportQuery } from "@gloss/shared";
import type { Deps } from "../context";
import { execute, type Store } from "../db/store";
import type { Logger } from "../log";
import type { AgreementWorker } from "./agreement/pool";
import type { ExportPulled, ExportStarted } from "./agreement/protocol";
import { agreementService } from "./agreement/service";
import { type ExportStats, planExport, reportExport, startRun } from "./export";

export interface StreamedExport {
  filename: string;
  contentType: string;
  /** The export's figures: those known at the start at once, the final ones after the last chunk. */
  stats(): ExportStats;
  /** Aborted when the client went away or the server shuts down: the stream stops. */
  signal: AbortSignal;
  /** The next chunk of about 64 KiB, or null at the end. */
  next(): Promise<Uint8Array | null>;
  /** Ends the export before its end (idempotent; nothing after the end). */
  stop(): void;
}

/** Opens an export of `projectId` (404 for no such project, 400 for a bad filter, before any byte). */
export async function openExport(
  deps: Pick<Deps, "store" | "log">,
  projectId: number,
  query: ExportQuery,
  signal: AbortSignal,
): Promise<StreamedExport> {
  const { store } = deps;
  const worker = agreementService(store, deps.log).worker;
  if (!worker) {
    const job = await execute(store, planExport(store, projectId, query, { signal, log: deps.log }));
    const reader = job.open();
    return {
      filename: job.filename,
      contentType: job.contentType,
      stats: () => job.stats,
      signal: job.signal,
      next: () => execute(store, reader.pull()),
      stop: () => reader.stop(),
    };
  }
  const started = await worker.exportStart(projectId, query);
  return remote(store, deps.log, projectId, query, signal, started, worker);
}

function remote(
  db: Store,
  log: Logger,
  projectId: number,
  query: ExportQuery,
  requestSignal: AbortSignal,
  started: ExportStarted & { stream: number },
  worker: AgreementWorker,
): StreamedExport {
  const ctrl = new AbortController();
  let stats = started.stats;
  let run: ReturnType<typeof startRun> | null = null;
  let ended = false;
  let ahead: Promise<ExportPulled> | null = null;
  const end = (completed: boolean) => {
    if (ended) return;
    ended = true;
    stats.state = completed ? "done" : "stopped";
    if (!completed) worker.exportStop(started.stream);
    // counted from its first pull, as an export read here is
    if (run) {
      run.end(completed);
      reportExport(log, projectId, query, stats, completed);
    }
  };
  return {
    filename: started.filename,
    contentType: started.contentType,
    stats: () => stats,
    signal: AbortSignal.any([requestSignal, ctrl.signal]),
    next: async () => {
      if (ended) return null;
      run ??= startRun(db, ctrl);
      stats.state = "running";
      try {
        // one chunk ahead: the worker reads the next while this one is written to the socket
        const pulled = await (ahead ?? worker.exportPull(started.stream));
        ahead = null;
        run.pages(pulled.pages);
        stats.pages += pulled.pages;
        if (pulled.chunk) {
          ahead = worker.exportPull(started.stream);
          ahead.catch(() => {}); // a failure is taken up by the next call (or dropped after a stop)
          return pulled.chunk;
        }
        stats = pulled.stats!;
        end(true);
        return null;
      } catch (err) {
        ahead = null;
        end(false);
        throw err;
      }
    },
    stop: () => end(false),
  };
}
