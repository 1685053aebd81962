/** The messages between the agreement service (main thread) and its worker thread. */
import type { AgreementQuery } from "@gloss/shared";

/** What the worker is given at start. */
export interface AgreementWorkerData {
  /** The SQLite file, opened read-only by the worker (WAL: it reads beside the server's writes). */
  dbFile: string;
}

/** One report to compute. */
export interface AgreementJob {
  id: number;
  projectId: number;
  query: Partial<AgreementQuery>;
}

/** A computed report, already serialized (JSON.stringify of 10,000 documents' figures stays off the main thread). */
export interface AgreementOutcome {
  /** The response body. */
  json: string;
  /** The unsound stored rows the report left out, for the server's one warning. */
  skipped: { total: number; reasons: string; rooms: string };
}

/** The worker's answer to job `id`: the outcome, an HttpError to rethrow (a 400), or a failure (a 500). */
export type AgreementReply =
  | { id: number; ok: true; outcome: AgreementOutcome }
  | { id: number; ok: false; http: { status: 400; code: string; message: string; details?: unknown } }
  | { id: number; ok: false; error: string };
