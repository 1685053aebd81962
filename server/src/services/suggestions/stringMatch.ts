/**
 * The built-in string-matching recommender (issue 14, as INCEpTION's): every text labelled X somewhere in the
 * project is proposed as X wherever the same text occurs, scored by how often that text was labelled X among
 * all the times it was labelled. Pure: training data in, suggestions (UTF-16 offsets) out.
 */
import type { StringMatchConfig } from "@gloss/shared";

export interface Example {
  text: string;
  label: number;
}

export interface Prediction {
  /** UTF-16 code units, end-exclusive. */
  start: number;
  end: number;
  label: number;
  score: number;
}

/** Longest learned text (longer spans are sentences, not names: they would never recur). */
export const MAX_LEARNED_CHARS = 200;
/** Most distinct texts learned (the most frequent first): bounds the cost of a prediction. */
export const MAX_LEARNED_TEXTS = 5000;

const WORD = /[\p{L}\p{N}_]/u;

interface Entry {
  /** A representative spelling (the first seen). */
  text: string;
  total: number;
  byLabel: Map<number, number>;
}

/** A trained matcher: `predict(text)` proposes every learned text found in `text`. */
export class StringMatcher {
  private readonly entries: Entry[];
  private readonly patterns = new Map<Entry, RegExp>();

  constructor(
    examples: Iterable<Example>,
    private readonly config: Pick<StringMatchConfig, "caseSensitive" | "normalizeWhitespace">,
  ) {
    const byKey = new Map<string, Entry>();
    for (const ex of examples) {
      const key = this.keyOf(ex.text);
      if (key === "" || key.length > MAX_LEARNED_CHARS) continue;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { text: ex.text, total: 0, byLabel: new Map() };
        byKey.set(key, entry);
      }
      entry.total++;
      entry.byLabel.set(ex.label, (entry.byLabel.get(ex.label) ?? 0) + 1);
    }
    this.entries = [...byKey.values()].sort((a, b) => b.total - a.total).slice(0, MAX_LEARNED_TEXTS);
  }

  /** How many distinct texts it knows. */
  get size(): number {
    return this.entries.length;
  }

  /** What identifies a text under the configured case and whitespace rules. */
  private keyOf(text: string): string {
    let key = this.config.normalizeWhitespace ? text.replace(/\s+/gu, " ").trim() : text;
    if (!this.config.caseSensitive) key = key.toLowerCase();
    return key.trim() === "" ? "" : key;
  }

  private patternOf(entry: Entry): RegExp {
    let re = this.patterns.get(entry);
    if (!re) {
      const text = this.config.normalizeWhitespace ? entry.text.trim() : entry.text;
      const parts = this.config.normalizeWhitespace
        ? text.split(/\s+/u).map(escapeRegExp)
        : [escapeRegExp(text)];
      // whole words only: "art" is not proposed inside "party"
      const before = WORD.test(text[0]!) ? "(?<![\\p{L}\\p{N}_])" : "";
      const after = WORD.test(text[text.length - 1]!) ? "(?![\\p{L}\\p{N}_])" : "";
      re = new RegExp(`${before}${parts.join("\\s+")}${after}`, this.config.caseSensitive ? "gu" : "giu");
      this.patterns.set(entry, re);
    }
    re.lastIndex = 0;
    return re;
  }

  /** Every occurrence of every learned text in `text`, once per label it was given. */
  predict(text: string): Prediction[] {
    const out: Prediction[] = [];
    for (const entry of this.entries) {
      const re = this.patternOf(entry);
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        for (const [label, n] of entry.byLabel)
          out.push({ start: m.index, end: m.index + m[0].length, label, score: n / entry.total });
      }
    }
    return out.sort((a, b) => a.start - b.start || b.end - a.end || a.label - b.label);
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
