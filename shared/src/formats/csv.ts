/**
 * CSV, one row per span (RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted and its
 * quotes doubled), written by csv-stringify and read back by csv-parse. Columns: document_id, document_name,
 * layer, span_id, start, end, label, text, author, note.
 *
 * Safe to open in a spreadsheet by default (issue 17): a text cell that starts with =, +, -, @, tab or CR
 * would run as a formula in Excel, LibreOffice or Google Sheets, so it is prefixed with a single quote
 * (OWASP's rule for CSV injection) — `text` then no longer matches its offsets for those rows. `raw: true`
 * (`?raw=true`, `gloss export --raw-csv`) writes every cell exactly as stored, for pipelines.
 * The browser builds of both: they run in Node too, and shared/ is also bundled into the client.
 */

import { parse } from "csv-parse/browser/esm/sync";
import { stringify } from "csv-stringify/browser/esm/sync";
import { soundRecord } from "./sound";
import type { ExportContext, ExportRecord } from "./types";
import { offsetWriter } from "./units";

export const CSV_COLUMNS = [
  "document_id",
  "document_name",
  "layer",
  "span_id",
  "start",
  "end",
  "label",
  "text",
  "author",
  "note",
] as const;

type Cell = string | number | null;

/** Characters a spreadsheet treats as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made inert for spreadsheets: prefixed with a single quote when it could start a formula. */
export const neutraliseCell = (cell: string): string => (FORMULA_START.test(cell) ? `'${cell}` : cell);

/** csv-stringify's defaults quote a field with a comma or a quote; CR and LF are asked for (`quote_record_delimiter`). */
const rows = (cells: Cell[][]) =>
  stringify(cells, { record_delimiter: "\r\n", quote_record_delimiter: true });

/** The header row. */
export const csvHeader = () => rows([[...CSV_COLUMNS]]);

/** The rows of one record's spans. */
export function csvRows(
  record: ExportRecord,
  ctx: Pick<ExportContext, "offsets"> & { raw?: boolean },
): string {
  const r = soundRecord(record);
  const at = offsetWriter(r.document.text, ctx.offsets);
  const text = ctx.raw ? (c: string) => c : neutraliseCell;
  const cells: Cell[][] = [];
  for (const s of r.spans) {
    cells.push([
      r.document.id,
      text(r.document.name),
      r.layer,
      text(s.id),
      at(s.start),
      at(s.end),
      text(s.label),
      text(r.document.text.slice(s.start, s.end)),
      s.author,
      s.note === undefined || s.note === null ? s.note : text(s.note),
    ]);
  }
  return cells.length ? rows(cells) : "";
}

/** An error of csv-parse itself (the Node and browser builds each have their own CsvError class). */
export function isCsvParseError(err: unknown): err is { code: string; message: string; bytes?: number } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("CSV_") || code === "INVALID_OPENING_QUOTE");
}

/** What csv-parse reports, in the words of an import error (by its `code`: the Node and browser builds have their own classes). */
export function csvParseReason(err: { code?: string; message: string }, maxRecordChars?: number): string {
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "this quoted field is never closed";
    case "INVALID_OPENING_QUOTE":
      return 'a quote (") inside an unquoted field: quote the whole field and double inner quotes';
    case "CSV_INVALID_CLOSING_QUOTE": {
      const got = /got "(.)"/su.exec(err.message)?.[1];
      return `unexpected ${got ? JSON.stringify(got) : "character"} after a closing quote`;
    }
    case "CSV_MAX_RECORD_SIZE":
      return `the record is longer than ${maxRecordChars ?? "the limit of"} characters`;
    case "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH":
      return err.message.replace(/^Invalid Record Length: /, "the record has the wrong number of fields: ");
    default:
      return err.message;
  }
}

/**
 * The byte offset where what csv-parse reports starts: the field that went wrong, or the record that has
 * the wrong number of fields (`bytes` is then its end). Its own line count sees "\r\n" inside quotes as two.
 */
export function csvErrorOffset(err: { code?: string; bytes?: number }): number {
  const bytes = err.bytes ?? 0;
  return err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" ? Math.max(bytes - 1, 0) : bytes;
}

/** The 1-based line of a byte offset of `bytes`. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

/**
 * Parses RFC 4180 CSV into rows of fields (quoted fields may span lines; every row has as many fields as
 * the first). A broken file throws `CSV line N: reason`: an unclosed quote, a quote inside an unquoted field.
 */
export function readCsv(input: string): string[][] {
  try {
    return parse(input, { record_delimiter: ["\r\n", "\n"] }) as string[][];
  } catch (err) {
    if (!isCsvParseError(err)) throw err;
    const line = lineAt(new TextEncoder().encode(input), csvErrorOffset(err));
    throw new Error(`CSV line ${line}: ${csvParseReason(err)}`);
  }
}
