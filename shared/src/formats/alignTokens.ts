/**
 * Tokens that every span boundary falls on, for the token formats (issue 13 item 15). Gloss's tokenizer
 * does not know the spans: a span may start or end inside one of its tokens ("ounder" in "founder", 晴れです
 * inside a CJK run). Widening such a span to whole tokens while keeping its character offsets gave records
 * that spaCy's `Doc.char_span` (alignment_mode "strict") and Prodigy refuse, so the token formats cut a
 * token wherever a span starts or ends inside it instead: the pieces are tokens of their own.
 *
 * The spaCy / Prodigy tokens also carry spaCy's whitespace model (spacy/tokenizer.pyx, `Tokenizer.__call__`):
 * a token owns at most one following " " (its `ws` flag, spaCy's `whitespace_`); any other whitespace —
 * a tab, a line break, the second of two spaces, whitespace at the start of the text — is a token of its
 * own, one per run, so `"".join(t.text + (" " if t.ws else "") for t in tokens)` is the text exactly.
 */
import { type Token, tokenize } from "../tokenize";

/** A span's extent (UTF-16 offsets, end-exclusive). */
interface Extent {
  start: number;
  end: number;
}

/** Every offset where a span starts or ends, sorted and without repeats. */
function cutsOf(spans: readonly Extent[]): number[] {
  const all: number[] = [];
  for (const s of spans) all.push(s.start, s.end);
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const c of all) if (out[out.length - 1] !== c) out.push(c);
  return out;
}

/** Index of the first cut greater than `offset`. */
function firstCutAfter(cuts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pushes text[from, to) as tokens, cut at every cut strictly inside it; `k` is the first cut after `from`. */
function pushPieces<T extends Token>(
  out: T[],
  from: number,
  to: number,
  cuts: readonly number[],
  k: number,
  make: (start: number, end: number) => T,
): number {
  let start = from;
  while (k < cuts.length && cuts[k]! < to) {
    const c = cuts[k++]!;
    if (c > start) {
      out.push(make(start, c));
      start = c;
    }
  }
  out.push(make(start, to));
  return k;
}

export interface AlignedTokens {
  tokens: Token[];
  /** firstPiece[i] = index in `tokens` of the first piece of Gloss token i; firstPiece[n] = tokens.length. */
  firstPiece: Int32Array;
}

/** Gloss's tokens of `text`, each cut where a span starts or ends inside it. */
export function alignTokens(text: string, spans: readonly Extent[], base = tokenize(text)): AlignedTokens {
  const cuts = cutsOf(spans);
  const firstPiece = new Int32Array(base.length + 1);
  const tokens: Token[] = [];
  const make = (start: number, end: number) => ({ start, end, text: text.slice(start, end) });
  let k = 0;
  for (let i = 0; i < base.length; i++) {
    const t = base[i]!;
    firstPiece[i] = tokens.length;
    while (k < cuts.length && cuts[k]! <= t.start) k++;
    if (k >= cuts.length || cuts[k]! >= t.end) tokens.push(t);
    else k = pushPieces(tokens, t.start, t.end, cuts, k, make);
  }
  firstPiece[base.length] = tokens.length;
  return { tokens, firstPiece };
}

/** Token ranges of Gloss's tokens (sentences) as ranges of the aligned tokens. */
export function alignRanges(
  ranges: ReadonlyArray<{ first: number; last: number }>,
  firstPiece: Int32Array,
): Array<{ first: number; last: number }> {
  return ranges.map(({ first, last }) => ({ first: firstPiece[first]!, last: firstPiece[last + 1]! - 1 }));
}

/** A token of a spaCy Doc: its text, offsets (UTF-16) and whether one " " follows it (`whitespace_`). */
export interface SpacyToken extends Token {
  ws: boolean;
}

/**
 * Python's `str.isspace` (what spaCy's tokenizer splits on): bidirectional class WS, B or S, or category
 * Zs. It differs from JavaScript's `\s` on U+001C–U+001F and U+0085 (spaces in Python) and U+FEFF (not).
 */
export function isPythonSpace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    (cp >= 0x1c && cp <= 0x20) ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/**
 * The tokens of a spaCy Doc for `text` whose every span start is a token start and every span end a token
 * end. Non-space runs are Gloss's tokens cut at span boundaries; whitespace follows spaCy's tokenizer (see
 * the file comment), except that a single " " stays a token of its own when a span starts on it or ends
 * after it (it could not be a token boundary as a `ws` flag).
 */
export function spacyTokens(text: string, spans: readonly Extent[], base = tokenize(text)): SpacyToken[] {
  const cuts = cutsOf(spans);
  const starts = new Set(spans.map((s) => s.start));
  const ends = new Set(spans.map((s) => s.end));
  const out: SpacyToken[] = [];
  const make = (start: number, end: number): SpacyToken => ({
    start,
    end,
    text: text.slice(start, end),
    ws: false,
  });
  const n = text.length;
  let b = 0; // next Gloss token
  let i = 0;
  while (i < n) {
    const space = isPythonSpace(text.codePointAt(i)!);
    let j = i;
    while (j < n) {
      const cp = text.codePointAt(j)!;
      if (isPythonSpace(cp) !== space) break;
      j += cp > 0xffff ? 2 : 1;
    }
    if (space) {
      let from = i;
      if (text.charCodeAt(i) === 0x20 && out.length > 0 && !starts.has(i) && !ends.has(i + 1)) {
        out[out.length - 1]!.ws = true;
        from = i + 1;
      }
      if (from < j) pushPieces(out, from, j, cuts, firstCutAfter(cuts, from), make);
    } else {
      // the run's Gloss token boundaries and span boundaries, in order
      const inner: number[] = [];
      while (b < base.length && base[b]!.end <= i) b++;
      for (; b < base.length && base[b]!.start < j; b++) {
        const t = base[b]!;
        if (t.start > i) inner.push(t.start);
        if (t.end < j) inner.push(t.end);
      }
      for (let k = firstCutAfter(cuts, i); k < cuts.length && cuts[k]! < j; k++) inner.push(cuts[k]!);
      inner.sort((x, y) => x - y);
      let start = i;
      for (const c of inner) {
        if (c > start) {
          out.push(make(start, c));
          start = c;
        }
      }
      out.push(make(start, j));
    }
    i = j;
  }
  return out;
}
