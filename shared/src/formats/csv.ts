/**
 * CSV, one row per span (RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted and its
 * quotes doubled). Columns: document_id, document_name, layer, span_id, start, end, label, text, author,
 * note. Cells are written exactly as stored (no spreadsheet escaping), so offsets still cut `text`.
 */

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

/** One RFC 4180 field. */
export function csvField(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = (cells: Array<string | number | null>) => `${cells.map(csvField).join(",")}\r\n`;

/** The header row. */
export const csvHeader = () => row([...CSV_COLUMNS]);

/** The rows of one record's spans. */
export function csvRows(record: ExportRecord, ctx: Pick<ExportContext, "offsets">): string {
  const r = soundRecord(record);
  const at = offsetWriter(r.document.text, ctx.offsets);
  let out = "";
  for (const s of r.spans) {
    out += row([
      r.document.id,
      r.document.name,
      r.layer,
      s.id,
      at(s.start),
      at(s.end),
      s.label,
      r.document.text.slice(s.start, s.end),
      s.author,
      s.note,
    ]);
  }
  return out;
}

/** Parses RFC 4180 CSV into rows of fields (quoted fields may span lines). */
export function readCsv(input: string): string[][] {
  const rows: string[][] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\r" || c === "\n") {
      fields.push(field);
      rows.push(fields);
      fields = [];
      field = "";
      if (c === "\r" && input[i + 1] === "\n") i++;
    } else field += c;
    i++;
  }
  if (field || fields.length) rows.push([...fields, field]);
  return rows;
}
