/**
 * The one tokenizer Gloss uses for token-level exports (Hugging Face, CoNLL, spaCy) and token-level agreement.
 * Tokens are runs of letters/marks/numbers (with inner apostrophes, hyphens and periods kept together,
 * e.g. "don't", "U.S.", "COVID-19") or single other non-space characters; offsets are UTF-16, end-exclusive.
 */
export interface Token {
  start: number;
  end: number;
  text: string;
}

const TOKEN_RE =
  /[\p{L}\p{M}\p{N}]+(?:['’\-.][\p{L}\p{M}\p{N}]+)*|\p{Extended_Pictographic}(?:\u200d\p{Extended_Pictographic}|[\u{fe0f}\u{1f3fb}-\u{1f3ff}])*|[^\s\p{L}\p{M}\p{N}]/gu;

/** Splits `text` into tokens. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = m.index!;
    out.push({ start, end: start + m[0].length, text: m[0] });
  }
  return out;
}

/** Sentence ranges (UTF-16, end-exclusive) as token index ranges: a sentence ends after . ! ? or at a blank line. */
export function sentences(
  text: string,
  tokens: Token[] = tokenize(text),
): Array<{ first: number; last: number }> {
  const out: Array<{ first: number; last: number }> = [];
  let first = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const gap = next ? text.slice(t.end, next.start) : "";
    const ends = /^[.!?]$/.test(t.text) || /\n\s*\n/.test(gap) || !next;
    if (ends) {
      out.push({ first, last: i });
      first = i + 1;
    }
  }
  return out;
}
