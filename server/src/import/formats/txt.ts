import { makeDocument } from "../document";
import { fail } from "../errors";
import { maxLineBytes } from "../limits";
import { LineSplitter } from "../lines";
import { decodeUtf8 } from "../utf8";
import type { FormatParser, ParserContext } from "./types";

/**
 * A .txt file is one document named after the file. It is decoded line by line (so an invalid byte is
 * reported with its line) and put back together with exactly the "\n"s it had: CRLF, trailing spaces and
 * a missing final newline all survive.
 */
export function txtParser(ctx: ParserContext): FormatParser {
  const parts: string[] = [];
  let bytes = 0;
  const splitter = new LineSplitter(
    ctx.file,
    (raw, line, terminated) => {
      const place = { file: ctx.file, line };
      const text = decodeUtf8(raw, place, line === 1);
      bytes += Buffer.byteLength(text, "utf8") + (terminated ? 1 : 0);
      if (bytes > ctx.maxDocumentBytes) {
        fail(place, `the text passes the limit of ${ctx.maxDocumentBytes} bytes at this line`, "text");
      }
      parts.push(terminated ? `${text}\n` : text);
    },
    maxLineBytes(ctx.maxDocumentBytes),
  );
  return {
    push: (chunk) => splitter.push(chunk),
    end() {
      splitter.end();
      const doc = makeDocument(
        { text: parts.join(""), name: ctx.stem },
        { file: ctx.file, line: 1 },
        ctx.maxDocumentBytes,
      );
      ctx.sink(doc);
    },
  };
}
