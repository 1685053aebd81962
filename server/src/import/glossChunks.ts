/**
 * Gloss JSONL read a piece at a time: a line's `spans` array is cut (outside strings, at the commas between
 * its elements) into runs of `perChunk` elements, and each run is parsed when it is asked for, so the
 * spans of a 200,000-span line never all exist as objects at once (the whole parse held ≈110 MB of them).
 *
 * Every piece goes through readGloss itself, so the checks and the records are readGloss's. The pieces are
 * contiguous substrings of the line (the line minus its spans' elements, then runs of elements): a piece
 * that does not parse cleanly, or elements that do not add up to the array's commas, means the caller
 * falls back to readGloss over the whole input, whose issues name lines and fields exactly.
 */
import { type ImportDocument, type ImportSpan, readGloss } from "@gloss/shared";

export interface GlossChunkedRecord {
  /** The record without its spans (ref, unit, relations, pos): what readGloss makes of it. */
  doc: ImportDocument;
  /** How many elements the spans array has. */
  spanCount: number;
  /** Parses the i-th run of spans (fields numbered as in the whole line); null: fall back. */
  chunk(i: number): ImportSpan[] | null;
  chunks: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The [start, end) of the top-level `"spans"` array's contents, and its element commas; null if unclear. */
function spansArray(line: string): { from: number; to: number; commas: number[] } | null {
  let depth = 0;
  let found: { from: number; to: number; commas: number[] } | null = null;
  let current: { from: number; commas: number[] } | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i++; i < line.length; i++) {
        const d = line.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
      // a key of the line's object: `"spans"` then `:` then `[`
      if (depth === 1 && line.slice(start, i + 1) === '"spans"') {
        let j = i + 1;
        while (j < line.length && /\s/.test(line[j]!)) j++;
        if (line[j] !== ":") continue;
        j++;
        while (j < line.length && /\s/.test(line[j]!)) j++;
        if (line[j] !== "[") continue;
        if (found || current) return null; // a repeated key: JSON.parse keeps the last, readGloss decides
        current = { from: j + 1, commas: [] };
        depth = 2;
        i = j;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (current && depth === 1) {
        found = { from: current.from, to: i, commas: current.commas };
        current = null;
      }
    } else if (c === 0x2c && current && depth === 2) current.commas.push(i);
  }
  return current ? null : found;
}

/** A record read alone (as line 1) given its line in the input; each position is its own object. */
function atLine(doc: ImportDocument, line: number): ImportDocument {
  doc.pos.line = line;
  for (const s of doc.spans) s.pos.line = line;
  for (const r of doc.relations) r.pos.line = line;
  return doc;
}

/**
 * The records of a Gloss JSONL input with their spans to be parsed in runs of `perChunk`; null when the
 * input is not one the pieces can stand for (any issue, a byte order mark, no spans array to cut), so the
 * caller reads it whole.
 */
export function readGlossChunked(
  input: string,
  perChunk: number,
  file?: string,
): GlossChunkedRecord[] | null {
  if (input.charCodeAt(0) === 0xfeff) return null;
  const lines = input.split("\n");
  const records: GlossChunkedRecord[] = [];
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.trim()) continue;
    const arr = spansArray(line);
    if (!arr || arr.commas.length < perChunk) {
      const r = readGloss(line, file);
      if (r.issues.length || r.documents.length !== 1) return null;
      const doc = atLine(r.documents[0]!, n + 1);
      const spans = doc.spans;
      doc.spans = [];
      records.push({ doc, spanCount: spans.length, chunks: 1, chunk: () => spans });
      continue;
    }
    const r = readGloss(`${line.slice(0, arr.from)}${line.slice(arr.to)}`, file);
    if (r.issues.length || r.documents.length !== 1 || r.documents[0]!.spans.length) return null;
    // run k holds elements [k * perChunk, (k + 1) * perChunk): cut before the comma that ends it
    const bounds = [arr.from];
    for (let k = perChunk - 1; k < arr.commas.length; k += perChunk) bounds.push(arr.commas[k]!);
    bounds.push(arr.to);
    const spanCount = arr.commas.length + 1;
    records.push({
      doc: atLine(r.documents[0]!, n + 1),
      spanCount,
      chunks: bounds.length - 1,
      chunk(k) {
        // the run's elements, after the comma that ends the one before
        const body = line.slice(k === 0 ? bounds[0]! : bounds[k]! + 1, bounds[k + 1]!);
        const part = readGloss(`{"spans":[${body}]}`, file);
        const want = Math.min(perChunk, spanCount - k * perChunk);
        if (part.issues.length || part.documents.length !== 1) return null;
        const spans = part.documents[0]!.spans;
        if (spans.length !== want) return null;
        for (let i = 0; i < spans.length; i++) {
          const pos = spans[i]!.pos; // the span's own object (readGloss copies it per span)
          pos.line = n + 1;
          pos.field = `spans[${k * perChunk + i}]`;
        }
        return spans;
      },
    });
  }
  return records.length ? records : null;
}
