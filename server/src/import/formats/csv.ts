import { isUtf8 } from "node:buffer";
import { csvErrorOffset, csvParseReason, isCsvParseError } from "@gloss/shared";
import { parse } from "csv-parse";
import { makeDocument } from "../document";
import { fail, ImportError } from "../errors";
import { maxCsvRecordChars, maxLineBytes } from "../limits";
import { LineSplitter } from "../lines";
import { decodeUtf8 } from "../utf8";
import type { FormatParser, ParserContext } from "./types";

interface Header {
  columns: string[];
  text: number;
  name: number;
}

/**
 * The line numbers of byte offsets in a stream. It keeps the offsets of the "\n"s not yet passed by a
 * finished record (csv-parse's own count takes a "\r\n" inside quotes for two lines).
 */
class LineIndex {
  /** Offsets of "\n"s after the `passed` first ones. */
  private newlines: number[] = [];
  private first = 0;
  private passed = 0;
  private bytes = 0;

  add(chunk: Buffer): void {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) this.newlines.push(this.bytes + i);
    this.bytes += chunk.length;
  }

  /** The first `lines` lines are done (finished records): their "\n"s are no longer needed. */
  pass(lines: number): void {
    this.first += lines - this.passed;
    this.passed = lines;
    if (this.first > 4096 || this.first >= this.newlines.length) {
      this.newlines = this.newlines.slice(this.first);
      this.first = 0;
    }
  }

  /** The 1-based line holding the byte at `offset` (an offset after the passed lines). */
  lineAt(offset: number): number {
    let n = this.first;
    while (n < this.newlines.length && this.newlines[n]! < offset) n++;
    return 1 + this.passed + (n - this.first);
  }
}

const lineBreaks = (fields: string[]) => {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf("\n"); i >= 0; i = f.indexOf("\n", i + 1)) n++;
  return n;
};

/**
 * CSV with a header row: a `text` column (required), an optional `name` column, and every other column
 * kept in meta as strings. Column names are matched case-insensitively after trimming.
 * csv-parse's streaming parser reads the records (quoted fields may span lines and keep their line breaks
 * exactly; "\n" or "\r\n" ends a record, blank lines between records are skipped); each chunk is parsed
 * as it is pushed, so errors name the file, the line and the column. (Records are read off the stream
 * rather than through `on_record`, which builds an info object per record: about twice the time.)
 * The bytes are also checked line by line as strict UTF-8 (csv-parse would put U+FFFD for a bad byte).
 */
export function csvParser(ctx: ParserContext): FormatParser {
  const maxRecordChars = maxCsvRecordChars(ctx.maxDocumentBytes);
  const lines = new LineIndex();
  let header: Header | null = null;

  /** Lines taken by the records read so far. */
  let linesRead = 0;

  const onRecord = (fields: string[]) => {
    const line = linesRead + 1;
    linesRead += 1 + lineBreaks(fields);
    if (fields.length === 1 && fields[0] === "") return; // a blank line
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
  };

  // Every line is a record (a blank one is [""]), so counting their lines gives exact line numbers; the
  // field count is checked against the header above, with a message naming both counts.
  const parser = parse({
    bom: true,
    record_delimiter: ["\r\n", "\n"],
    relax_column_count: true,
    max_record_size: maxRecordChars,
  });
  // A chunk written to the idle parser is parsed before write() returns and end() flushes at once; the
  // records wait on the readable side, taken right after. A failure destroys the stream, which sets
  // `errored` at once (the 'error' event comes later, and is ignored: it was thrown already).
  parser.on("error", () => {});
  const drain = () => {
    let record: string[] | null;
    // biome-ignore lint/suspicious/noAssignInExpressions: the stream idiom
    while ((record = parser.read() as string[] | null) !== null) onRecord(record);
    lines.pass(linesRead);
    const err = parser.errored as (Error & { index?: number }) | null;
    if (!err) return;
    if (!isCsvParseError(err)) throw err;
    const line = lines.lineAt(csvErrorOffset(err));
    const field = header && err.index !== undefined ? header.columns[err.index] : undefined;
    fail({ file: ctx.file, line }, csvParseReason(err, maxRecordChars), field);
  };

  const utf8 = new LineSplitter(
    ctx.file,
    (raw, line) => {
      if (!isUtf8(raw)) decodeUtf8(raw, { file: ctx.file, line }, line === 1); // throws, naming the byte
    },
    maxLineBytes(ctx.maxDocumentBytes),
  );
  /** Runs both checks over the same bytes and reports the error on the earlier line. */
  const both = (check: () => void, read: () => void) => {
    let bad: ImportError | null = null;
    try {
      check();
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      bad = e;
    }
    try {
      read();
    } catch (e) {
      if (!bad || !(e instanceof ImportError) || (e.where.line ?? 0) < (bad.where.line ?? 0)) throw e;
    }
    if (bad) throw bad;
  };

  return {
    push(chunk) {
      // copied: csv-parse keeps a view of the unparsed rest, and a caller may reuse its buffer
      const bytes = Buffer.from(chunk);
      lines.add(bytes);
      both(
        () => utf8.push(bytes),
        () => {
          parser.write(bytes);
          drain();
        },
      );
    },
    end() {
      both(
        () => utf8.end(),
        () => {
          parser.end();
          drain();
        },
      );
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
