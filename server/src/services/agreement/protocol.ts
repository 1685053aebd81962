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
 * A computed report, already serialized where it was computed: JSON.stringify of 10,000 documents' figures
 * never runs on the main thread. The document table is kept as one JSON text per row, so a page of it (any
 * order, any name filter) is a join of strings, not a serialization.
 */
export interface AgreementOutcome {
  /** The report's JSON object without `perDocument`. */
  head: string;
  /** Each `perDocument` row's JSON, in the report's order (most disputed first). */
  rows: string[];
  /** Each row's document id and name (for `sort` and `q`). */
  ids: number[];
  names: string[];
  /** The unsound stored rows the report left out, for the server's one warning. */
  skipped: { total: number; reasons: string; rooms: string };
}

/** The worker's answer to job `id`: the outcome, an HttpError to rethrow (a 400), or a failure (a 500). */
export type AgreementReply =
  | { id: number; ok: true; outcome: AgreementOutcome }
  | { id: number; ok: false; http: { status: 400; code: string; message: string; details?: unknown } }
  | { id: number; ok: false; error: string };
