/**
 * Where a selection may start and end. Word snapping grows a selection that starts or ends inside a token
 * (shared/src/tokenize.ts: the one tokenizer the exports use) to the token's edges and drops surrounding
 * whitespace; character snapping keeps the selection but never splits a grapheme cluster (an emoji with its
 * modifiers, a base letter with its combining marks). Either way a surrogate pair is never split.
 */
import { splitsSurrogatePair, tokenize } from "@gloss/shared";

export interface TextRange {
  start: number;
  end: number;
}

/** How far (in UTF-16 code units) snapping looks around a boundary; a token longer than this is cut. */
const WINDOW = 256;
const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/** Tokens of the whitespace-delimited stretch of text around `offset` (tokens never cross whitespace). */
function tokensAround(text: string, offset: number): Array<{ start: number; end: number }> {
  let from = offset;
  while (from > 0 && offset - from < WINDOW && !isSpace(text[from - 1])) from--;
  let to = offset;
  while (to < text.length && to - offset < WINDOW && !isSpace(text[to])) to++;
  if (from === to) return [];
  return tokenize(text.slice(from, to)).map((t) => ({ start: t.start + from, end: t.end + from }));
}

/** The token that strictly contains `offset` (offset > start and < end), if any. */
function tokenContaining(text: string, offset: number): { start: number; end: number } | null {
  for (const t of tokensAround(text, offset)) if (t.start < offset && offset < t.end) return t;
  return null;
}

/** Moves `offset` off the middle of a surrogate pair (outward in direction `dir`). */
export function toCodePointBoundary(text: string, offset: number, dir: -1 | 1): number {
  return splitsSurrogatePair(text, offset) ? offset + dir : offset;
}

/**
 * Word snapping: trims whitespace at both ends, then grows a start or end that falls inside a token to
 * the token's edge. Returns null when nothing but whitespace was selected.
 */
export function snapToWords(text: string, start: number, end: number): TextRange | null {
  let s = Math.max(0, Math.min(start, end));
  let e = Math.min(text.length, Math.max(start, end));
  while (s < e && isSpace(text[s])) s++;
  while (e > s && isSpace(text[e - 1])) e--;
  if (s >= e) return null;
  s = tokenContaining(text, s)?.start ?? s;
  e = tokenContaining(text, e)?.end ?? e;
  s = toCodePointBoundary(text, s, -1);
  e = toCodePointBoundary(text, e, 1);
  return { start: s, end: e };
}

const graphemes =
  typeof Intl !== "undefined" && "Segmenter" in Intl
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
    : null;

/** Grapheme cluster boundaries in the stretch [from, to) of `text`, absolute, ascending, including both ends. */
function graphemeBoundaries(text: string, from: number, to: number): number[] {
  if (!graphemes) {
    const out: number[] = [];
    for (let i = from; i <= to; i++) if (!splitsSurrogatePair(text, i)) out.push(i);
    return out;
  }
  const out: number[] = [];
  for (const seg of graphemes.segment(text.slice(from, to))) out.push(from + seg.index);
  out.push(to);
  return out;
}

/**
 * Length of the grapheme cluster that starts at `offset` (a cluster boundary), read from a few code units:
 * 1 for plain text, more for an emoji sequence or a letter with combining marks.
 */
export function clusterLength(text: string, offset: number): number {
  const c = text.charCodeAt(offset);
  const next = offset + 1 < text.length ? text.charCodeAt(offset + 1) : 0;
  // Fast path: a BMP character followed by one below U+0300, where combining marks, joiners and
  // variation selectors begin: nothing can extend it.
  if (c < 0xd800 && next < 0x300) return 1;
  if (!graphemes) return splitsSurrogatePair(text, offset + 1) ? 2 : 1;
  for (const seg of graphemes.segment(text.slice(offset, offset + 64))) return seg.segment.length;
  return 1;
}

/** The nearest grapheme boundary at or beyond `offset` in direction `dir`. */
export function toGraphemeBoundary(text: string, offset: number, dir: -1 | 1): number {
  // Grapheme clusters never cross a line break, so a window that starts at one is aligned.
  let from = Math.max(0, offset - 64);
  while (from > 0 && text[from - 1] !== "\n" && offset - from < 1024) from--;
  const to = Math.min(text.length, offset + 64);
  const bounds = graphemeBoundaries(text, from, to);
  if (dir < 0) {
    let best = from;
    for (const b of bounds) if (b <= offset) best = b;
    return best;
  }
  for (const b of bounds) if (b >= offset) return b;
  return to;
}

/** Character snapping: keeps the selection, grown outward to whole grapheme clusters. */
export function snapToCharacters(text: string, start: number, end: number): TextRange | null {
  if (start === end) return null;
  const s = toGraphemeBoundary(text, Math.max(0, Math.min(start, end)), -1);
  const e = toGraphemeBoundary(text, Math.min(text.length, Math.max(start, end)), 1);
  return s < e ? { start: s, end: e } : null;
}

/** Exact (Alt held): keeps the code units, only moving off the middle of a surrogate pair. */
export function snapExact(text: string, start: number, end: number): TextRange | null {
  if (start === end) return null;
  const s = toCodePointBoundary(text, Math.max(0, Math.min(start, end)), -1);
  const e = toCodePointBoundary(text, Math.min(text.length, Math.max(start, end)), 1);
  return s < e ? { start: s, end: e } : null;
}

export type SnapMode = "word" | "character" | "exact";

/** Snaps a selection by mode. */
export function snapRange(text: string, start: number, end: number, mode: SnapMode): TextRange | null {
  if (mode === "word") return snapToWords(text, start, end);
  if (mode === "character") return snapToCharacters(text, start, end);
  return snapExact(text, start, end);
}

/**
 * The next place a span boundary can move to from `offset` in direction `dir`: the next token start
 * (`edge` "start") or token end (`edge` "end") by word, or the next grapheme boundary by character.
 */
export function stepBoundary(
  text: string,
  offset: number,
  dir: -1 | 1,
  edge: "start" | "end",
  unit: "word" | "character",
): number {
  if (unit === "character") {
    const next = toGraphemeBoundary(text, offset + dir, dir);
    return Math.max(0, Math.min(text.length, next));
  }
  // Scan outward in chunks until a token edge beyond `offset` turns up.
  for (let span = 512; ; span *= 4) {
    const from = Math.max(0, dir < 0 ? offset - span : offset);
    const to = Math.min(text.length, dir < 0 ? offset : offset + span);
    const toks = tokenize(text.slice(from, to)).map((t) => ({ start: t.start + from, end: t.end + from }));
    // The chunk edge may cut a token; drop the cut one so its edge is not mistaken for a real one.
    const edges = toks.map((t) => (edge === "start" ? t.start : t.end));
    const usable =
      dir > 0
        ? edges.filter((e, i) => e > offset && (to === text.length || i < toks.length - 1))
        : edges.filter((e, i) => e < offset && (from === 0 || i > 0));
    if (usable.length > 0) return dir > 0 ? usable[0]! : usable[usable.length - 1]!;
    if ((dir > 0 && to >= text.length) || (dir < 0 && from <= 0)) return offset;
  }
}
