import { csvParser } from "./csv";
import { jsonlParser } from "./jsonl";
import { txtParser } from "./txt";
import type { FormatParser, ParserContext } from "./types";

export type { FormatParser, ParserContext } from "./types";

/** The file formats Gloss imports documents from. */
export type ImportFormat = "txt" | "jsonl" | "csv";

const BY_EXTENSION: Record<string, ImportFormat> = {
  ".txt": "txt",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".csv": "csv",
};

/** The extensions a folder import picks up. */
export const IMPORT_EXTENSIONS = Object.keys(BY_EXTENSION);

/** The format a file name's extension (any case) stands for, or null. */
export function formatOf(fileName: string): ImportFormat | null {
  const m = /\.[^./\\]+$/.exec(fileName);
  return m ? (BY_EXTENSION[m[0].toLowerCase()] ?? null) : null;
}

/** The file name without directories and extension ("dir/Report 1.txt" → "Report 1"). */
export function stemOf(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? fileName;
  const stem = base.replace(/\.[^.]+$/, "");
  return stem || base;
}

/** A push parser for one file of the given format. */
export function createParser(format: ImportFormat, ctx: ParserContext): FormatParser {
  switch (format) {
    case "txt":
      return txtParser(ctx);
    case "jsonl":
      return jsonlParser(ctx);
    case "csv":
      return csvParser(ctx);
  }
}
