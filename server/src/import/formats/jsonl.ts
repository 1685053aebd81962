import { documentFromRecord } from "../document";
import { fail } from "../errors";
import { maxLineBytes } from "../limits";
import { LineSplitter } from "../lines";
import { decodeUtf8 } from "../utf8";
import type { FormatParser, ParserContext } from "./types";

const BLANK = /^[ \t\r]*$/;

/**
 * JSONL / NDJSON: one `{ "text", "name"?, "meta"? }` object per line. The container's line endings may be
 * LF or CRLF ("\r" is JSON whitespace); blank lines are skipped; the last line may lack a newline.
 * Documents without a name are called `<file stem>-<line>`.
 */
export function jsonlParser(ctx: ParserContext): FormatParser {
  const splitter = new LineSplitter(
    ctx.file,
    (raw, line) => {
      const place = { file: ctx.file, line };
      const text = decodeUtf8(raw, place, line === 1);
      if (BLANK.test(text)) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        fail(place, `not valid JSON: ${(err as Error).message}`);
      }
      ctx.sink(documentFromRecord(value, place, ctx.maxDocumentBytes, `${ctx.stem}-${line}`));
    },
    maxLineBytes(ctx.maxDocumentBytes),
  );
  return { push: (chunk) => splitter.push(chunk), end: () => splitter.end() };
}
