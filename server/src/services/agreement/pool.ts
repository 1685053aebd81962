/**
 * The agreement worker thread, seen from the main thread: one worker (2 cores are shared with the event loop),
 * started on first use, jobs answered in order, and ended after a quiet minute or on close(). A worker that
 * dies fails the jobs it held (each becomes a logged 500) and a fresh one starts on the next job.
 */
import { Worker } from "node:worker_threads";
import type { AgreementQuery, ExportQuery, ProjectCurationQuery } from "@gloss/shared";
import type { ProjectAccess } from "../../auth/access";
import { HttpError } from "../../errors";
import type { Logger } from "../../log";
import type { CurationPageAnswer } from "../curation/summaries";
import type {
  AgreementOutcome,
  AgreementWorkerData,
  DbDescriptor,
  ExportPulled,
  ExportStarted,
  ListName,
  WorkerJob,
  WorkerReply,
} from "./protocol";

/** A worker with no job for this long is ended (it holds the last report's memory and a connection). */
const IDLE_MS = 60_000;

interface Waiter {
  resolve(outcome: unknown): void;
  reject(err: Error): void;
}

/**
 * Starts the worker: from the bundle, dist/agreementWorker.js beside dist/main.js; from sources (tsx,
 * vitest), worker.ts with tsx's loader registered in the new thread first (a worker does not inherit it).
 */
function spawn(data: AgreementWorkerData): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./agreementWorker.js", import.meta.url), { workerData: data });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** How long a closing worker may take to end its database connections before it is terminated. */
const CLOSE_MS = 2_000;

/** Computes agreement reports in a worker thread over the database `target` describes. */
export class AgreementWorker {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;
  private closed = false;
  /** Exports started and not yet ended: the worker holds their state, so it is not ended while idle. */
  private readonly streams = new Set<number>();
  private nextStream = 1;
  /** Exports streaming from the worker now (for tests: a stopped one is freed). */
  get streaming(): number {
    return this.streams.size;
  }
  /** Jobs answered (for tests: proof a read went through the worker). */
  answered = 0;

  constructor(
    private readonly target: DbDescriptor,
    private readonly log: Logger,
  ) {}

  /** The report of `projectId` for `query`, serialized; a bad filter rejects with its 400 HttpError. */
  run(projectId: number, query: Partial<AgreementQuery>): Promise<AgreementOutcome> {
    return this.send({ kind: "agreement", projectId, query }) as Promise<AgreementOutcome>;
  }

  /** A page of a project's curation listing, or the stale summaries to store first (summaries.ts). */
  curationPage(access: ProjectAccess, query: ProjectCurationQuery): Promise<CurationPageAnswer> {
    return this.send({ kind: "curationPage", access, query }) as Promise<CurationPageAnswer>;
  }

  /** The stale curation summaries of a project, computed and packed (summaries.ts). */
  staleSummaries(projectId: number): Promise<Float64Array> {
    return this.send({ kind: "staleSummaries", projectId }) as Promise<Float64Array>;
  }

  /** A page of one of a project's lists (lists.ts), read on the worker's connection. */
  list(name: ListName, access: ProjectAccess, query: unknown): Promise<unknown> {
    return this.send({ kind: "list", name, access, query });
  }

  /**
   * Starts an export in the worker: its headers' figures now, its bytes by `exportPull`. A bad query
   * rejects with its 4xx; the stream must be ended by pulling to the end or by `exportStop`.
   */
  async exportStart(projectId: number, query: ExportQuery): Promise<ExportStarted & { stream: number }> {
    const stream = this.nextStream++;
    this.streams.add(stream);
    try {
      const started = (await this.send({ kind: "exportStart", stream, projectId, query })) as ExportStarted;
      return { ...started, stream };
    } catch (err) {
      this.ended(stream);
      throw err;
    }
  }

  private ended(stream: number): void {
    this.streams.delete(stream);
    this.idleLater();
  }

  /** The next chunk of export `stream` (null at its end, which ends the stream). */
  async exportPull(stream: number): Promise<ExportPulled> {
    try {
      const pulled = (await this.send({ kind: "exportPull", stream })) as ExportPulled;
      if (!pulled.chunk) this.ended(stream);
      return pulled;
    } catch (err) {
      this.ended(stream);
      throw err;
    }
  }

  /** Ends export `stream` before its end (the client went away); the worker frees it after its current job. */
  exportStop(stream: number): void {
    if (!this.streams.has(stream) || !this.worker) return void this.streams.delete(stream);
    this.streams.delete(stream);
    this.send({ kind: "exportStop", stream }).catch(() => {});
  }

  private send(
    job: Exclude<WorkerJob, { kind: "close" }> extends infer J
      ? J extends unknown
        ? Omit<J, "id">
        : never
      : never,
  ) {
    if (this.closed) return Promise.reject(new Error("agreement: the worker is closed"));
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...job, id });
    });
  }

  /** Ends the worker; jobs still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error("agreement: the server is shutting down"));
    if (worker) await this.end(worker);
  }

  /**
   * Ends a worker: asked to close its database first (a PostgreSQL pool ends its connections), terminated
   * if it has not exited within CLOSE_MS. A SQLite worker is terminated.
   */
  private async end(worker: Worker): Promise<void> {
    // a SQLite worker holds nothing that needs ending: stopped at once, even mid-job, as it always was
    if (this.target.dialect === "sqlite") return void (await worker.terminate());
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ kind: "close" });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), CLOSE_MS).unref();
    });
    if ((await Promise.race([exited, late])) === "late") await worker.terminate();
    clearTimeout(timer);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = spawn({ db: this.target });
    // never what keeps the process alive: close() or the idle timer ends it
    worker.unref();
    worker.on("message", (reply: WorkerReply) => this.settle(reply));
    worker.on("error", (err) => {
      this.log.error("agreement: worker failed", { err: String(err?.stack ?? err) });
      this.lost(worker, err);
    });
    worker.on("exit", (code) => this.lost(worker, new Error(`agreement: worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    this.answered++;
    if (reply.ok) waiter.resolve(reply.outcome);
    else if ("http" in reply)
      waiter.reject(
        new HttpError(reply.http.status, reply.http.code, reply.http.message, reply.http.details),
      );
    else waiter.reject(new Error(`agreement worker: ${reply.error}`));
    this.idleLater();
  }

  /** With nothing running nor streaming, ends the worker after a quiet IDLE_MS. */
  private idleLater(): void {
    if (this.waiting.size > 0 || this.streams.size > 0 || !this.worker || this.idle) return;
    const worker = this.worker;
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.worker !== worker || this.waiting.size > 0 || this.streams.size > 0) return;
      this.worker = null;
      void this.end(worker);
    }, IDLE_MS).unref();
  }

  /** The worker is gone (crashed, or ended): its jobs fail, the next job starts a new one. */
  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.streams.clear(); // their state died with the worker: their next pull fails
    this.failAll(err);
  }

  private failAll(err: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiters) w.reject(err);
  }
}
