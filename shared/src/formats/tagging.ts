/**
 * Token-level tagging for the token formats (Hugging Face, CoNLL): spans become IOB2 tags over the one
 * tokenizer's tokens, cut where a span starts or ends inside one (alignTokens.ts). One tag column cannot hold overlapping spans, so an overlap policy keeps some and
 * counts the rest; spans that cover no token (only spaces) are counted too.
 */
import type { Token } from "../tokenize";
import { alignTokens } from "./alignTokens";
import type { ExportSpan } from "./types";

export type OverlapPolicy = "keep-longest" | "keep-first" | "per-label";
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ["keep-longest", "keep-first", "per-label"];

/** Spans left out of a token export, and why. */
export interface DropCounts {
  /** Overlapped a kept span on at least one token. */
  overlap: number;
  /** Covered no token. */
  noToken: number;
  byLabel: Record<string, number>;
}

export const emptyDrops = (): DropCounts => ({ overlap: 0, noToken: 0, byLabel: {} });
export const totalDropped = (d: DropCounts) => d.overlap + d.noToken;

/** Adds `b` into `a`. */
export function addDrops(a: DropCounts, b: DropCounts): void {
  a.overlap += b.overlap;
  a.noToken += b.noToken;
  for (const [k, v] of Object.entries(b.byLabel)) a.byLabel[k] = (a.byLabel[k] ?? 0) + v;
}

function drop(d: DropCounts, s: ExportSpan, why: "overlap" | "noToken") {
  d[why]++;
  d.byLabel[s.label] = (d.byLabel[s.label] ?? 0) + 1;
}

/** A span as an inclusive token range. */
export interface TokenSpan {
  span: ExportSpan;
  first: number;
  last: number;
}

/** Index of the first token whose end is after `offset` (tokens are sorted and disjoint). */
function firstEndingAfter(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The tokens each span overlaps (on aligned tokens, exactly its own); token-less spans are counted. */
export function tokenSpans(tokens: Token[], spans: ExportSpan[], drops: DropCounts): TokenSpan[] {
  const out: TokenSpan[] = [];
  for (const span of spans) {
    const first = firstEndingAfter(tokens, span.start);
    let last = first - 1;
    while (last + 1 < tokens.length && tokens[last + 1]!.start < span.end) last++;
    if (last < first) drop(drops, span, "noToken");
    else out.push({ span, first, last });
  }
  return out;
}

/**
 * Keeps non-overlapping token spans: `keep-longest` prefers more tokens (then more characters, then the
 * earlier), `keep-first` prefers the earlier start (then the longer). Returns the kept ones by position.
 */
export function resolveOverlaps(
  ranges: TokenSpan[],
  policy: "keep-longest" | "keep-first",
  tokenCount: number,
  drops: DropCounts,
): TokenSpan[] {
  const order = [...ranges].sort((a, b) => {
    const len = b.last - b.first - (a.last - a.first);
    const chars = b.span.end - b.span.start - (a.span.end - a.span.start);
    const byStart = a.first - b.first || a.span.start - b.span.start;
    const tie = a.span.id < b.span.id ? -1 : a.span.id > b.span.id ? 1 : 0;
    return policy === "keep-longest" ? len || chars || byStart || tie : byStart || len || chars || tie;
  });
  const taken = new Uint8Array(tokenCount);
  const kept: TokenSpan[] = [];
  for (const r of order) {
    let free = true;
    for (let i = r.first; i <= r.last && free; i++) free = taken[i] === 0;
    if (!free) {
      drop(drops, r.span, "overlap");
      continue;
    }
    taken.fill(1, r.first, r.last + 1);
    kept.push(r);
  }
  return kept.sort((a, b) => a.first - b.first);
}

/** IOB2 tags as label indexes: 0 = O, 2k+1 = B-label k, 2k+2 = I-label k. */
export function iob2(
  tokenCount: number,
  kept: TokenSpan[],
  labelIndex: ReadonlyMap<string, number>,
): number[] {
  const tags = new Array<number>(tokenCount).fill(0);
  for (const r of kept) {
    const k = labelIndex.get(r.span.label);
    if (k === undefined) continue;
    tags[r.first] = 2 * k + 1;
    for (let i = r.first + 1; i <= r.last; i++) tags[i] = 2 * k + 2;
  }
  return tags;
}

/** The tag names of `iob2` indexes for a label list: ["O", "B-a", "I-a", …]. */
export function tagNames(labels: readonly string[]): string[] {
  return ["O", ...labels.flatMap((l) => [`B-${l}`, `I-${l}`])];
}

/**
 * Tokens and IOB2 tag indexes of a text and its spans under a single-column policy; `tokens` default to
 * Gloss's tokens cut at every span boundary, so each kept span is exactly its tokens.
 */
export function tagText(
  text: string,
  spans: ExportSpan[],
  labels: readonly string[],
  policy: "keep-longest" | "keep-first",
  drops: DropCounts,
  tokens: Token[] = alignTokens(text, spans).tokens,
): { tokens: Token[]; tags: number[] } {
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const ranges = tokenSpans(
    tokens,
    spans.filter((s) => labelIndex.has(s.label)),
    drops,
  );
  const kept = resolveOverlaps(ranges, policy, tokens.length, drops);
  return { tokens, tags: iob2(tokens.length, kept, labelIndex) };
}

/**
 * Decodes IOB2 tag names over tokens back to spans (UTF-16 offsets of `text`); tokens are located in
 * `text` in order. For round trips and checks: the token formats do not carry character offsets.
 */
export function decodeIob2(
  text: string,
  tokens: readonly string[],
  tags: readonly string[],
): Array<{ start: number; end: number; label: string }> {
  const out: Array<{ start: number; end: number; label: string }> = [];
  let cursor = 0;
  let open: { start: number; end: number; label: string } | null = null;
  tokens.forEach((tok, i) => {
    const start = text.indexOf(tok, cursor);
    if (start < 0) throw new Error(`token ${i} ${JSON.stringify(tok)} not found in the text`);
    const end = start + tok.length;
    cursor = end;
    const tag = tags[i] ?? "O";
    if (tag.startsWith("I-") && open && open.label === tag.slice(2)) {
      open.end = end;
      return;
    }
    if (open) out.push(open);
    open = tag === "O" ? null : { start, end, label: tag.slice(2) };
  });
  if (open) out.push(open);
  return out;
}
