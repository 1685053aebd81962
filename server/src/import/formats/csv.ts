import { makeDocument } from "../document";
import { fail } from "../errors";
import { maxCsvRecordChars, maxLineBytes } from "../limits";
import { LineSplitter } from "../lines";
import { decodeUtf8 } from "../utf8";
import { CsvRecordReader } from "./csvRecords";
import type { FormatParser, ParserContext } from "./types";

interface Header {
  columns: string[];
  text: number;
  name: number;
}

/**
 * CSV with a header row: a `text` column (required), an optional `name` column, and every other column
 * kept in meta as strings. Column names are matched case-insensitively after trimming.
 */
export function csvParser(ctx: ParserContext): FormatParser {
  let header: Header | null = null;
  const records = new CsvRecordReader(ctx.file, maxCsvRecordChars(ctx.maxDocumentBytes), (fields, line) => {
    const place = { file: ctx.file, line };
    if (!header) {
      header = readHeader(fields, place);
      return;
    }
    if (fields.length !== header.columns.length) {
      fail(place, `the record has ${fields.length} fields but the header has ${header.columns.length}`);
    }
    const meta: Record<string, string> = {};
    header.columns.forEach((col, i) => {
      if (i !== header!.text && i !== header!.name) meta[col] = fields[i]!;
    });
    const name = header.name >= 0 ? fields[header.name]! : "";
    ctx.sink(
      makeDocument(
        { text: fields[header.text]!, name: name.trim() ? name : `${ctx.stem}-${line}`, meta },
        place,
        ctx.maxDocumentBytes,
      ),
    );
  });
  const splitter = new LineSplitter(
    ctx.file,
    (raw, line, terminated) => {
      records.line(decodeUtf8(raw, { file: ctx.file, line }, line === 1), line, terminated);
    },
    maxLineBytes(ctx.maxDocumentBytes),
  );
  return {
    push: (chunk) => splitter.push(chunk),
    end() {
      splitter.end();
      records.finish();
      if (!header)
        fail({ file: ctx.file, line: 1 }, "the CSV is empty: expected a header row with a text column");
    },
  };
}

function readHeader(fields: string[], place: { file: string; line: number }): Header {
  const columns = fields.map((f, i) => f.trim() || `column${i + 1}`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.toLowerCase())) fail(place, `the header names the column "${c}" twice`);
    seen.add(c.toLowerCase());
  }
  const text = columns.findIndex((c) => c.toLowerCase() === "text");
  if (text < 0) {
    fail(place, `no "text" column in the header (columns: ${columns.join(", ")})`, "text");
  }
  return { columns, text, name: columns.findIndex((c) => c.toLowerCase() === "name") };
}
