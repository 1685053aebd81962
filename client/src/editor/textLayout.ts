/**
 * The document text as ProseMirror sees it: one paragraph per line, the line breaks (CRLF, CR or LF) between
 * paragraphs, and the exact mapping between ProseMirror positions and UTF-16 text offsets.
 *
 * ProseMirror counts positions in UTF-16 code units inside text, plus one for each node boundary, so within a
 * line the mapping is a constant shift; only the line breaks (1 or 2 code units of text, 2 positions in the
 * document: the closing and opening paragraph tokens) make it piecewise.
 *
 * A long text (CHUNKED_FROM and up) has its paragraphs grouped into chunks of about CHUNK_CHARS: the browser
 * skips laying out and painting the chunks off screen (editor.css: content-visibility), and ProseMirror
 * compares a few hundred chunks instead of every line when it redraws. A chunk adds its opening and closing
 * tokens between two lines, which `paraStarts` accounts for, so the mapping below is the same either way.
 */
import type { JSONContent } from "@tiptap/core";
import type { Node as PmNode, Schema } from "@tiptap/pm/model";

export interface TextLayout {
  readonly text: string;
  /** Text offset where each line starts. */
  readonly lineStarts: readonly number[];
  /** Text offset where each line's content ends (before its line break). */
  readonly lineEnds: readonly number[];
  /** ProseMirror position of each paragraph's first content position. */
  readonly paraStarts: readonly number[];
  /** Index of the first line of each chunk; empty when the lines are not chunked. */
  readonly chunkStarts: readonly number[];
  /** Size of the ProseMirror document. */
  readonly docSize: number;
}

/** Texts from this length (UTF-16 code units) on have their lines grouped into chunks. */
export const CHUNKED_FROM = 200_000;
/** A chunk closes after the line that brings it to this many code units. */
export const CHUNK_CHARS = 6000;

/**
 * Splits `text` into lines at CRLF, CR and LF, keeping every offset, and groups them into chunks of about
 * `chunkChars` code units (0: no chunks; by default only a long text is chunked).
 */
export function layoutText(
  text: string,
  chunkChars: number = text.length >= CHUNKED_FROM ? CHUNK_CHARS : 0,
): TextLayout {
  const lineStarts = [0];
  const lineEnds: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lineEnds.push(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      lineStarts.push(i + 1);
    }
  }
  lineEnds.push(text.length);
  const paraStarts: number[] = [];
  const chunkStarts: number[] = [];
  const n = lineStarts.length;
  let pos = 0;
  let chunkSize = 0;
  for (let i = 0; i < n; i++) {
    const len = lineEnds[i]! - lineStarts[i]!;
    if (chunkChars > 0 && chunkSize === 0) {
      chunkStarts.push(i);
      pos++; // the chunk's opening token
    }
    paraStarts.push(pos + 1);
    pos += len + 2;
    // A line break counts too, so that a run of empty lines still makes chunks.
    chunkSize += len + 1;
    if (chunkChars > 0 && (chunkSize >= chunkChars || i === n - 1)) {
      pos++; // the chunk's closing token
      chunkSize = 0;
    }
  }
  return { text, lineStarts, lineEnds, paraStarts, chunkStarts, docSize: pos };
}

/** The lines [from, to) of chunk `c`. */
export function chunkLines(layout: TextLayout, c: number): [number, number] {
  return [layout.chunkStarts[c]!, layout.chunkStarts[c + 1] ?? layout.lineStarts.length];
}

/**
 * The ProseMirror JSON of `text` (a paragraph per line, empty lines are empty paragraphs; grouped into chunks
 * when the layout has them).
 */
export function textToPmJson(text: string, layout: TextLayout = layoutText(text)): JSONContent {
  const lines = (from: number, to: number) => {
    const out: JSONContent[] = [];
    for (let i = from; i < to; i++) {
      const line = text.slice(layout.lineStarts[i], layout.lineEnds[i]);
      out.push(line ? { type: "paragraph", content: [{ type: "text", text: line }] } : { type: "paragraph" });
    }
    return out;
  };
  if (layout.chunkStarts.length === 0) return { type: "doc", content: lines(0, layout.lineStarts.length) };
  const content = layout.chunkStarts.map((_, c) => ({
    type: "chunk",
    content: lines(...chunkLines(layout, c)),
  }));
  return { type: "doc", content };
}

/** Builds the ProseMirror document of `text` in `schema` (nodes `doc`, `chunk`, `paragraph`, `text`). */
export function buildPmDoc(schema: Schema, text: string, layout: TextLayout = layoutText(text)): PmNode {
  const paragraph = schema.nodes.paragraph!;
  const lines = (from: number, to: number) => {
    const out: PmNode[] = [];
    for (let i = from; i < to; i++) {
      const line = text.slice(layout.lineStarts[i], layout.lineEnds[i]);
      out.push(paragraph.create(null, line ? schema.text(line) : null));
    }
    return out;
  };
  if (layout.chunkStarts.length === 0) {
    return schema.nodes.doc!.create(null, lines(0, layout.lineStarts.length));
  }
  const chunk = schema.nodes.chunk!;
  const chunks = layout.chunkStarts.map((_, c) => chunk.create(null, lines(...chunkLines(layout, c))));
  return schema.nodes.doc!.create(null, chunks);
}

/** Index of the last element of the ascending `arr` that is ≤ `value` (0 when none). */
function lastAtMost(arr: readonly number[], value: number): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (arr[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Text offset → ProseMirror position. Without `bias` the mapping is exact (an offset strictly between CR and
 * LF, which no position can express, maps to the end of its line). With a bias, an offset at a line break
 * goes to where a span boundary is seen: bias 1 (a start) to the next line's start, bias -1 (an end) to the
 * previous line's end, so a span never begins at the end of a line or ends at the start of the next.
 */
export function offsetToPos(layout: TextLayout, offset: number, bias?: -1 | 1): number {
  const o = Math.max(0, Math.min(offset, layout.text.length));
  const i = lastAtMost(layout.lineStarts, o);
  const lineEnd = layout.lineEnds[i]!;
  const last = i === layout.lineStarts.length - 1;
  if (bias === 1 && o >= lineEnd && !last) return layout.paraStarts[i + 1]!;
  if (bias === -1 && o === layout.lineStarts[i] && i > 0) {
    return layout.paraStarts[i - 1]! + (layout.lineEnds[i - 1]! - layout.lineStarts[i - 1]!);
  }
  if (o > lineEnd) return layout.paraStarts[i]! + (lineEnd - layout.lineStarts[i]!);
  return layout.paraStarts[i]! + (o - layout.lineStarts[i]!);
}

/** ProseMirror position → text offset. Positions between paragraphs clamp to the nearest line's edge. */
export function posToOffset(layout: TextLayout, pos: number): number {
  const i = lastAtMost(layout.paraStarts, pos);
  const start = layout.paraStarts[i]!;
  const len = layout.lineEnds[i]! - layout.lineStarts[i]!;
  const local = Math.max(0, Math.min(pos - start, len));
  return layout.lineStarts[i]! + local;
}

/** The chunk that holds line `line` (0 when the lines are not chunked). */
export function chunkOfLine(layout: TextLayout, line: number): number {
  return layout.chunkStarts.length === 0 ? 0 : lastAtMost(layout.chunkStarts, line);
}

/** The line index that contains text offset `offset`. */
export function lineOfOffset(layout: TextLayout, offset: number): number {
  return lastAtMost(layout.lineStarts, offset);
}
