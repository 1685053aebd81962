/**
 * The one tokenizer Gloss uses for token-level exports (Hugging Face, CoNLL, spaCy) and token-level agreement.
 * Tokens are runs of letters/marks/numbers (with inner apostrophes, hyphens and periods kept together,
 * e.g. "don't", "U.S.", "COVID-19"), emoji (with ZWJ sequences, variation selectors and skin tones), or
 * single other non-space characters; offsets are UTF-16, end-exclusive.
 *
 * The definition is the regular expression TOKEN_PATTERN below; `tokenize` is a hand-written scanner that
 * produces exactly its matches (a differential property test holds it to that) without the per-match arrays
 * of `matchAll`, since every token export and agreement run tokenizes every document.
 */
export interface Token {
  start: number;
  end: number;
  text: string;
}

/** The definition of a token (the scanner below is held to it by tests). */
export const TOKEN_PATTERN =
  /[\p{L}\p{M}\p{N}]+(?:['’\-.][\p{L}\p{M}\p{N}]+)*|\p{Extended_Pictographic}(?:\u200d\p{Extended_Pictographic}|[\u{fe0f}\u{1f3fb}-\u{1f3ff}])*|[^\s\p{L}\p{M}\p{N}]/gu;

const SPACE = 0;
const WORD = 1;
const PICTO = 2;
const OTHER = 3;

const WORD_RE = /^[\p{L}\p{M}\p{N}]$/u;
const PICTO_RE = /^\p{Extended_Pictographic}$/u;
const SPACE_RE = /^\s$/u;

/** Class of every code point below 0x3000, computed once; others are classified on demand and cached. */
const LOW = 0x3000;
const lowClass = new Uint8Array(LOW);
const highClass = new Map<number, number>();

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  // Order matters as in TOKEN_PATTERN: a word character wins over a pictograph.
  if (WORD_RE.test(ch)) return WORD;
  if (PICTO_RE.test(ch)) return PICTO;
  if (SPACE_RE.test(ch)) return SPACE;
  return OTHER;
}
for (let cp = 0; cp < LOW; cp++) lowClass[cp] = cp >= 0xd800 && cp <= 0xdfff ? OTHER : classify(cp);

function classOf(cp: number): number {
  if (cp < LOW) return lowClass[cp]!;
  if (cp >= 0xd800 && cp <= 0xdfff) return OTHER; // a lone surrogate
  let c = highClass.get(cp);
  if (c === undefined) {
    c = classify(cp);
    highClass.set(cp, c);
  }
  return c;
}

const isWordJoiner = (u: number) => u === 0x27 || u === 0x2019 || u === 0x2d || u === 0x2e;
const isEmojiModifier = (cp: number) => cp === 0xfe0f || (cp >= 0x1f3fb && cp <= 0x1f3ff);

/** Splits `text` into tokens. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const cls = classOf(cp);
    if (cls === SPACE) {
      i += len;
      continue;
    }
    const start = i;
    i += len;
    if (cls === WORD) {
      for (;;) {
        while (i < n) {
          const c = text.codePointAt(i)!;
          if (classOf(c) !== WORD) break;
          i += c > 0xffff ? 2 : 1;
        }
        // an inner ' ’ - . joins two word runs
        if (i + 1 < n && isWordJoiner(text.charCodeAt(i)) && classOf(text.codePointAt(i + 1)!) === WORD) {
          i += 1;
          continue;
        }
        break;
      }
    } else if (cls === PICTO) {
      while (i < n) {
        const c = text.codePointAt(i)!;
        if (c === 0x200d && i + 1 < n) {
          const next = text.codePointAt(i + 1)!;
          if (classOf(next) === PICTO) {
            i += 1 + (next > 0xffff ? 2 : 1);
            continue;
          }
          break;
        }
        if (isEmojiModifier(c)) {
          i += c > 0xffff ? 2 : 1;
          continue;
        }
        break;
      }
    }
    out.push({ start, end: i, text: text.slice(start, i) });
  }
  return out;
}

const isSentenceEnd = (t: Token) =>
  t.end - t.start === 1 && (t.text === "." || t.text === "!" || t.text === "?");

/** True when text[from, to) (whitespace between two tokens) holds a blank line. */
function hasBlankLine(text: string, from: number, to: number): boolean {
  let newlines = 0;
  for (let i = from; i < to; i++) {
    const u = text.charCodeAt(i);
    if (u === 0x0a) {
      if (++newlines >= 2) return true;
    } else if (u === 0x0d) {
      if (text.charCodeAt(i + 1) !== 0x0a && ++newlines >= 2) return true;
    }
  }
  return false;
}

/** Sentence ranges as token index ranges: a sentence ends after . ! ? or at a blank line. */
export function sentences(
  text: string,
  tokens: Token[] = tokenize(text),
): Array<{ first: number; last: number }> {
  const out: Array<{ first: number; last: number }> = [];
  let first = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (!next || isSentenceEnd(t) || hasBlankLine(text, t.end, next.start)) {
      out.push({ first, last: i });
      first = i + 1;
    }
  }
  return out;
}
