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

/**
 * A computed report, already serialized and encoded: neither JSON.stringify nor UTF-8 encoding of 10,000
 * documents' figures runs on the main thread, and the bytes are transferred, not copied.
 */
export interface AgreementOutcome {
  /** The response body: the report's JSON, UTF-8 (its own ArrayBuffer, so it can be transferred). */
  json: Uint8Array<ArrayBuffer>;
  /** The unsound stored rows the report left out, for the server's one warning. */
  skipped: { total: number; reasons: string; rooms: string };
}

/** The worker's answer to job `id`: the outcome, an HttpError to rethrow (a 400), or a failure (a 500). */
export type AgreementReply =
  | { id: number; ok: true; outcome: AgreementOutcome }
  | { id: number; ok: false; http: { status: 400; code: string; message: string; details?: unknown } }
  | { id: number; ok: false; error: string };
