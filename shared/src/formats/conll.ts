/**
 * CoNLL-2003 style text: one token per line with placeholder POS/chunk columns, `token -X- _ TAG` (IOB2),
 * tokens cut at span boundaries (alignTokens.ts), a blank line after each sentence (the tokenizer's sentences), and `-DOCSTART- -X- -X- O` plus a blank
 * line before each document. Whitespace in label names becomes `_` so the columns stay four.
 */
import { sentences, tokenize } from "../tokenize";
import { alignRanges, alignTokens } from "./alignTokens";
import { soundRecord } from "./sound";
import { type DropCounts, tagNames, tagText } from "./tagging";
import type { ExportRecord } from "./types";

export const CONLL_DOCSTART = "-DOCSTART- -X- -X- O\n\n";

/** A label name as a CoNLL tag suffix. */
export const conllLabel = (name: string) => name.trim().replace(/\s+/g, "_");

/** The CoNLL block of one record: the DOCSTART line, then its sentences. */
export function conllDocument(
  record: ExportRecord,
  opts: { labels: readonly string[]; policy: "keep-longest" | "keep-first" },
  drops: DropCounts,
): string {
  const r = soundRecord(record);
  const text = r.document.text;
  const base = tokenize(text);
  const { tokens, firstPiece } = alignTokens(text, r.spans, base);
  const { tags } = tagText(text, r.spans, opts.labels, opts.policy, drops, tokens);
  // the line ends per tag, built once per document rather than per token
  const ends = tagNames(opts.labels.map(conllLabel)).map((n) => ` -X- _ ${n}\n`);
  let out = CONLL_DOCSTART;
  for (const { first, last } of alignRanges(sentences(text, base), firstPiece)) {
    for (let i = first; i <= last; i++) {
      let tag = tags[i]!;
      if (i === first && tag > 0 && tag % 2 === 0) tag--; // a span running on from the previous sentence
      out += tokens[i]!.text + ends[tag];
    }
    out += "\n";
  }
  return out;
}

/** Parses CoNLL text into documents of tokens and tags (sentences concatenated). */
export function readConll(input: string): Array<{ tokens: string[]; tags: string[] }> {
  const docs: Array<{ tokens: string[]; tags: string[] }> = [];
  for (const raw of input.split("\n")) {
    const line = raw.trimEnd();
    if (!line) continue;
    const cols = line.split(" ");
    if (cols[0] === "-DOCSTART-") {
      docs.push({ tokens: [], tags: [] });
      continue;
    }
    if (!docs.length) docs.push({ tokens: [], tags: [] });
    const d = docs[docs.length - 1]!;
    d.tokens.push(cols[0]!);
    d.tags.push(cols[cols.length - 1]!);
  }
  return docs;
}
