/**
 * The document text as ProseMirror sees it: one paragraph per line, the line breaks (CRLF, CR or LF) between
 * paragraphs, and the exact mapping between ProseMirror positions and UTF-16 text offsets.
 *
 * ProseMirror counts positions in UTF-16 code units inside text, plus one for each node boundary, so within a
 * line the mapping is a constant shift; only the line breaks (1 or 2 code units of text, 2 positions in the
 * document: the closing and opening paragraph tokens) make it piecewise.
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
  /** Size of the ProseMirror document. */
  readonly docSize: number;
}

/** Splits `text` into lines at CRLF, CR and LF, keeping every offset. */
export function layoutText(text: string): TextLayout {
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
  let pos = 1;
  for (let i = 0; i < lineStarts.length; i++) {
    paraStarts.push(pos);
    pos += lineEnds[i]! - lineStarts[i]! + 2;
  }
  return { text, lineStarts, lineEnds, paraStarts, docSize: pos - 1 };
}

/** The ProseMirror JSON of `text` (a paragraph per line; empty lines are empty paragraphs). */
export function textToPmJson(text: string, layout: TextLayout = layoutText(text)): JSONContent {
  const content: JSONContent[] = [];
  for (let i = 0; i < layout.lineStarts.length; i++) {
    const line = text.slice(layout.lineStarts[i], layout.lineEnds[i]);
    content.push(
      line ? { type: "paragraph", content: [{ type: "text", text: line }] } : { type: "paragraph" },
    );
  }
  return { type: "doc", content };
}

/** Builds the ProseMirror document of `text` in `schema` (nodes `doc`, `paragraph`, `text`). */
export function buildPmDoc(schema: Schema, text: string, layout: TextLayout = layoutText(text)): PmNode {
  const paragraph = schema.nodes.paragraph!;
  const paras: PmNode[] = [];
  for (let i = 0; i < layout.lineStarts.length; i++) {
    const line = text.slice(layout.lineStarts[i], layout.lineEnds[i]);
    paras.push(paragraph.create(null, line ? schema.text(line) : null));
  }
  return schema.nodes.doc!.create(null, paras);
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

/** The line index that contains text offset `offset`. */
export function lineOfOffset(layout: TextLayout, offset: number): number {
  return lastAtMost(layout.lineStarts, offset);
}
