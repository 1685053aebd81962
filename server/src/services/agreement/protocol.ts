/**
 * The messages between the main thread and its projection-reading worker thread: agreement reports, and the
 * curation summaries of a project's documents.
 */
import type { AgreementQuery, ExportQuery, ProjectCurationQuery } from "@gloss/shared";
import type { ProjectAccess } from "../../auth/access";
import type { HttpError } from "../../errors";
import type { ExportStats } from "../export";

/**
 * The database the worker reads, the same kind as the server's: a SQLite file, opened read-only (WAL: it
 * reads beside the server's writes), or a PostgreSQL connection string (a small pool of its own).
 */
export type DbDescriptor = { dialect: "sqlite"; file: string } | { dialect: "pg"; url: string };

/** What the worker is given at start. */
export interface AgreementWorkerData {
  db: DbDescriptor;
}

/**
 * One job: a project's agreement report for a query, a page of its curation listing, a page of a list, or a
 * step of a streamed export (start it, pull its next chunk, stop it).
 */
export type WorkerJob = { id: number } & (
  | { kind: "agreement"; projectId: number; query: Partial<AgreementQuery> }
  | { kind: "curationPage"; access: ProjectAccess; query: ProjectCurationQuery }
  | { kind: "staleSummaries"; projectId: number }
  | { kind: "list"; name: ListName; access: ProjectAccess; query: unknown }
  | { kind: "exportStart"; stream: number; projectId: number; query: ExportQuery }
  | { kind: "exportPull"; stream: number }
  | { kind: "exportStop"; stream: number }
  | { kind: "close" }
);

/** A started export: what the response's headers need before the first byte. */
export interface ExportStarted {
  filename: string;
  contentType: string;
  stats: ExportStats;
}

/**
 * The next chunk of an export (null at its end), the pages read since the last pull, and at the end its
 * final figures (for the trailers and the log line).
 */
export interface ExportPulled {
  chunk: Uint8Array | null;
  pages: number;
  stats?: ExportStats;
}

/** The project lists read in the worker (their queries scan every document or assignment of a project). */
export type ListName = "documents" | "assignments" | "queue";

/**
 * One document's curation figures, as numbers: [documentId, stamp, annotators, annotatedLayers,
 * disagreements, open, goldSpans] (the stamp is the document's `curation_stamps.n` they were computed at).
 */
export type SummaryRow = [number, number, number, number, number, number, number];

/**
 * A computed report, already serialized where it was computed: JSON.stringify of 100,000 documents' figures
 * never runs on the main thread. The document table is kept as the UTF-8 JSON of each row, all rows in one
 * byte array with their end offsets, so a page of it (any order, any name filter) is a join of a few decoded
 * slices; the arrays are moved from the worker, not copied, and live outside the main thread's heap (40 MB of
 * rows as one string there cost a major GC pause of ~100 ms at 100,000 documents).
 */
export interface AgreementOutcome {
  /** The report's JSON object without `perDocument`. */
  head: string;
  /** Every `perDocument` row's JSON, in the report's order (most disputed first), UTF-8, concatenated. */
  rows: Uint8Array;
  /** Where row i ends in `rows` (it starts where row i - 1 ends). */
  rowEnds: Uint32Array;
  /** Each row's document id. */
  ids: Float64Array;
  /** Each row's document name, UTF-8, concatenated, and where each ends. */
  names: Uint8Array;
  nameEnds: Uint32Array;
  /** The unsound stored rows the report left out, for the server's one warning. */
  skipped: { total: number; reasons: string; rooms: string };
}

const decoder = new TextDecoder();

/** Row i of packed `bytes` (rows ending at `ends`), decoded. */
export const rowOf = (bytes: Uint8Array, ends: Uint32Array, i: number): string =>
  decoder.decode(bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]));

/** Packs strings as UTF-8 into one byte array, with the end offset of each. */
export function packTexts(items: readonly string[]): { bytes: Uint8Array; ends: Uint32Array } {
  const ends = new Uint32Array(items.length);
  let at = 0;
  items.forEach((s, i) => {
    at += Buffer.byteLength(s, "utf8");
    ends[i] = at;
  });
  const bytes = new Uint8Array(at);
  const encoder = new TextEncoder();
  items.forEach((s, i) => {
    encoder.encodeInto(s, bytes.subarray(i === 0 ? 0 : ends[i - 1]));
  });
  return { bytes, ends };
}

/**
 * The array buffers of an outcome's typed arrays that own their whole buffer: posted as transferables, so
 * they move to the main thread instead of being copied.
 */
export function transferables(outcome: unknown): ArrayBuffer[] {
  if (typeof outcome !== "object" || outcome === null) return [];
  const out: ArrayBuffer[] = [];
  const values = ArrayBuffer.isView(outcome) ? [outcome] : Object.values(outcome);
  for (const v of values)
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteLength === v.buffer.byteLength)
      if (!out.includes(v.buffer)) out.push(v.buffer);
  return out;
}

/** The worker's answer to job `id`: its outcome, an HttpError to rethrow (a 4xx), or a failure (a 500). */
export type WorkerReply =
  | { id: number; ok: true; outcome: unknown }
  | {
      id: number;
      ok: false;
      http: { status: HttpError["status"]; code: string; message: string; details?: unknown };
    }
  | { id: number; ok: false; error: string };
