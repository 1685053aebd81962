/**
 * Hugging Face token classification: JSONL files `train.jsonl`, `validation.jsonl`, `test.jsonl` of
 * `{id, document_id, layer, tokens, ner_tags}` (IOB2 tags as ClassLabel integers) and a dataset card
 * `README.md` whose YAML `dataset_info.features` declares `ner_tags` as a sequence of `class_label` with
 * its `names`, and whose `configs` map the splits to the files (huggingface.co/docs/hub/datasets-cards).
 * With the `per-label` overlap policy every label gets its own config (`<label>/train.jsonl`, …).
 */

import { type SkippedRows, skippedReasons } from "../storedSpans";
import { sentences, tokenize } from "../tokenize";
import { alignRanges, alignTokens } from "./alignTokens";
import { soundRecord } from "./sound";
import { type DropCounts, type OverlapPolicy, tagNames, tagText, totalDropped } from "./tagging";
import type { ExportRecord } from "./types";

export type Granularity = "sentence" | "document";
export const SPLIT_NAMES = ["train", "validation", "test"] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface HfOptions {
  /** Label names in ClassLabel order (B-/I- pairs follow this order). */
  labels: readonly string[];
  policy: "keep-longest" | "keep-first";
  granularity: Granularity;
  /** Only the examples whose sentence number (0 for a whole document) passes (splits by sentence). */
  keep?: (example: number) => boolean;
}

/** The example numbers `hfLines` writes for a text at sentence granularity (sentences with tokens). */
export function hfSentenceNumbers(text: string): number[] {
  const tokens = tokenize(text);
  const out: number[] = [];
  for (const [n, { first, last }] of sentences(text, tokens).entries()) if (last >= first) out.push(n);
  return out;
}

/** The JSONL lines (one per sentence, or one per document) of one record. */
export function hfLines(
  record: ExportRecord,
  opts: HfOptions,
  drops: DropCounts,
  skipped?: SkippedRows,
): string[] {
  const r = soundRecord(record, skipped);
  const text = r.document.text;
  // cut at every span's boundaries (not only the config's labels'), so all configs share the tokens;
  // sentences are Gloss's (a cut never starts or ends one), numbered as hfSentenceNumbers numbers them
  const base = tokenize(text);
  const { tokens, firstPiece } = alignTokens(text, r.spans, base);
  const { tags } = tagText(text, r.spans, opts.labels, opts.policy, drops, tokens);
  const ranges =
    opts.granularity === "document"
      ? [{ first: 0, last: tokens.length - 1 }]
      : alignRanges(sentences(text, base), firstPiece);
  const out: string[] = [];
  // the line is assembled by hand (same bytes as JSON.stringify of the object): tokens are quoted once
  const quoted = tokens.map((x) => JSON.stringify(x.text));
  const head = `{"id":`;
  const tail = `,"document_id":${r.document.id},"layer":${JSON.stringify(r.layer)},"tokens":[`;
  for (const [n, { first, last }] of ranges.entries()) {
    if (last < first || (opts.keep && !opts.keep(n))) continue;
    const t = tags.slice(first, last + 1);
    // a span running on from the previous sentence starts this one: I-x becomes B-x (IOB2)
    if (t[0]! > 0 && t[0]! % 2 === 0) t[0] = t[0]! - 1;
    const id = JSON.stringify(`${r.document.id}-${r.layer}-${n}`);
    out.push(`${head}${id}${tail}${quoted.slice(first, last + 1).join(",")}],"ner_tags":[${t.join(",")}]}\n`);
  }
  return out;
}

/** One config of the card: its name, data directory, label names and examples per split. */
export interface HfConfig {
  name: string;
  /** "" for files at the root, else "<dir>/". */
  dir: string;
  labels: readonly string[];
  examples: Record<SplitName, number>;
}

export interface HfCardInfo {
  project: string;
  layer: string;
  offsets: string;
  policy: OverlapPolicy;
  granularity: Granularity;
  seed: number;
  ratios: readonly number[];
  documents: Record<SplitName, number>;
  configs: HfConfig[];
  drops: DropCounts;
  exportedAt: string;
  /** How the examples were split: by document (the default) or, as a fallback, by sentence. */
  splitBy?: "document" | "sentence";
  /** Sentences per split when split by sentence. */
  sentences?: Record<SplitName, number>;
  /** Why the split is not the plain document split (a fallback), and splits still empty; shown in the card. */
  splitNotes?: string[];
  /** Stored rows skipped as unsound. */
  skipped?: SkippedRows;
  /** Documents left out because their curation is not done. */
  uncuratedExcluded?: number;
}

const y = (s: string) => JSON.stringify(s); // JSON strings are valid YAML scalars

/** The dataset card (README.md): YAML metadata the `datasets` library reads, then a short description. */
export function hfCard(info: HfCardInfo): string {
  const yaml: string[] = [
    "---",
    `pretty_name: ${y(info.project)}`,
    "task_categories:",
    "- token-classification",
  ];
  yaml.push("task_ids:", "- named-entity-recognition", "configs:");
  for (const c of info.configs) {
    yaml.push(`- config_name: ${y(c.name)}`, "  data_files:");
    for (const s of SPLIT_NAMES) yaml.push(`  - split: ${s}`, `    path: ${y(`${c.dir}${s}.jsonl`)}`);
  }
  yaml.push("dataset_info:");
  for (const c of info.configs) {
    yaml.push(`- config_name: ${y(c.name)}`, "  features:");
    yaml.push("  - name: id", "    dtype: string", "  - name: document_id", "    dtype: int64");
    yaml.push("  - name: layer", "    dtype: string", "  - name: tokens", "    sequence: string");
    yaml.push("  - name: ner_tags", "    sequence:", "      class_label:", "        names:");
    for (const [i, n] of tagNames(c.labels).entries()) yaml.push(`          '${i}': ${y(n)}`);
    yaml.push("  splits:");
    for (const s of SPLIT_NAMES) yaml.push(`  - name: ${s}`, `    num_examples: ${c.examples[s]}`);
  }
  yaml.push("---", "");
  const d = info.drops;
  const byLabel = Object.entries(d.byLabel)
    .map(([l, n]) => `| ${l.replace(/\|/g, "\\|")} | ${n} |`)
    .join("\n");
  const body = [
    `# ${info.project.replace(/[\r\n]+/g, " ")}`,
    "",
    `Token classification data exported from Gloss on ${info.exportedAt} (layer \`${info.layer}\`).`,
    "",
    `- Tokens: Gloss's tokenizer; tags: IOB2 (\`ner_tags\` indexes into the ClassLabel names above).`,
    `- Examples: one per ${info.granularity}; \`id\` is \`<document>-<layer>-<n>\`.`,
    info.splitBy === "sentence"
      ? `- Splits: sentences (not documents) shuffled with seed ${info.seed}, ratios ${info.ratios.join(" / ")} → ` +
        SPLIT_NAMES.map((s) => `${s} ${info.sentences?.[s] ?? 0}`).join(", ") +
        " sentences (from " +
        SPLIT_NAMES.map((s) => `${s} ${info.documents[s]}`).join(", ") +
        " documents: a document may appear in several splits)."
      : `- Splits: documents shuffled with seed ${info.seed}, ratios ${info.ratios.join(" / ")} → ` +
        SPLIT_NAMES.map((s) => `${s} ${info.documents[s]}`).join(", ") +
        " documents.",
    ...(info.splitNotes ?? []).map((n) => `- Split fallback: ${n}`),
    `- Overlapping spans: policy \`${info.policy}\`.`,
    "",
    "## Dropped spans",
    "",
    `${totalDropped(d)} span(s) are not in the tags: ${d.overlap} overlapped a kept span, ${d.noToken} covered no token.`,
    ...(byLabel ? ["", "| label | dropped |", "| --- | --- |", byLabel] : []),
    "",
    "## Left out",
    "",
    `- Documents not curated (curation not done): ${info.uncuratedExcluded ?? 0}${info.layer === "gold" ? "" : " (the curation filter applies to gold only)"}.`,
    `- Stored rows skipped as unsound: ${info.skipped?.total ?? 0}${info.skipped?.total ? ` (${skippedReasons(info.skipped)})` : ""}.`,
    "",
  ];
  return `${yaml.join("\n")}${body.join("\n")}`;
}

/** Parses the card's ClassLabel names of the first config (for round trips). */
export function hfCardNames(card: string): string[] {
  const names: string[] = [];
  let inNames = false;
  for (const line of card.split("\n")) {
    if (/^\s+names:\s*$/.test(line)) inNames = names.length === 0;
    else if (inNames) {
      const m = /^\s+'(\d+)': (.*)$/.exec(line);
      if (!m) inNames = false;
      else names[Number(m[1])] = JSON.parse(m[2]!) as string;
    }
  }
  return names;
}
