/**
 * Streaming writers for the single-file formats: `begin()`, then `write(record)` per record, then `end()`,
 * each returning text to append. The zip formats (brat, Hugging Face) are assembled by the server from
 * the per-record pieces in brat.ts and huggingface.ts.
 */

import { emptySkipped, type SkippedRows } from "../storedSpans";
import { conllDocument } from "./conll";
import { csvHeader, csvRows } from "./csv";
import { doccanoLine, doccanoRelationLine } from "./doccano";
import { glossLine } from "./gloss";
import { labelStudioTask } from "./labelStudio";
import type { ExportFormat } from "./options";
import { soundRecord } from "./sound";
import { spacyLine } from "./spacy";
import { type DropCounts, emptyDrops } from "./tagging";
import type { ExportContext, ExportRecord } from "./types";
import { W3C_PAGE_END, w3cAnnotations, w3cPageStart } from "./w3c";

export interface TextWriter {
  begin(): string;
  write(r: ExportRecord): string;
  end(): string;
  /** Spans a format could not write (token formats, brat), by reason and label. */
  readonly drops: DropCounts;
  /** Unsound spans and relations left out of the records (see sound.ts). */
  readonly skipped: SkippedRows;
}

export interface WriterOptions extends ExportContext {
  /** Token formats: which spans win on overlap. */
  policy: "keep-longest" | "keep-first";
  /** The layer choice, for the W3C page id. */
  layer: string;
  /** CSV: write cells exactly as stored, without neutralising formulas (see csv.ts). */
  rawCsv?: boolean;
}

/** A JSON array written item by item (Label Studio, W3C). */
function arrayWriter(
  open: string,
  close: string,
  items: (r: ExportRecord) => unknown[],
): Omit<TextWriter, "drops" | "skipped"> {
  let first = true;
  return {
    begin: () => open,
    write(r) {
      let out = "";
      for (const item of items(r)) {
        out += (first ? "" : ",\n") + JSON.stringify(item);
        first = false;
      }
      return out;
    },
    end: () => close,
  };
}

/** A writer for a single-file export format; throws for the zip formats. */
export function createTextWriter(format: ExportFormat, opts: WriterOptions): TextWriter {
  const drops = emptyDrops();
  const skipped = emptySkipped();
  const lines = (write: (r: ExportRecord) => string, begin = "") => ({
    begin: () => begin,
    write: (r: ExportRecord) => write(soundRecord(r, skipped)),
    end: () => "",
    drops,
    skipped,
  });
  const array = (w: Omit<TextWriter, "drops" | "skipped">): TextWriter => ({
    ...w,
    write: (r) => w.write(soundRecord(r, skipped)),
    drops,
    skipped,
  });
  const labels = opts.labels;
  switch (format) {
    case "gloss":
      return lines((r) => glossLine(r, opts));
    case "doccano":
      return lines((r) => doccanoLine(r, opts));
    case "doccano-relations":
      return lines((r) => doccanoRelationLine(r, opts));
    case "spacy":
      return lines((r) => spacyLine(r, opts, drops));
    case "csv":
      return lines((r) => csvRows(r, { offsets: opts.offsets, raw: opts.rawCsv }), csvHeader());
    case "conll":
      return lines((r) => conllDocument(r, { labels, policy: opts.policy }, drops));
    case "labelstudio":
      return array(arrayWriter("[\n", "\n]\n", (r) => [labelStudioTask(r, opts)]));
    case "w3c":
      return array(arrayWriter(w3cPageStart(opts.project.id, opts.layer), W3C_PAGE_END, w3cAnnotations));
    default:
      throw new Error(`${format} is written as a zip`);
  }
}
