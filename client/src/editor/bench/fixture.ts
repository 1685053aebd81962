/**
 * The benchmark's document: ~200 KB of news-like prose (paragraphs, blank lines, a few emoji and CRLFs) with
 * 3,000 spans, a third of them overlapping another (nested or crossing), and some relations, in an
 * in-memory Y.Doc. Seeded, so every run measures the same thing.
 */
import { DEFAULT_LABELS, type LabelDto, relationsOf, spansOf, tokenize } from "@gloss/shared";
import * as Y from "yjs";

export interface BenchFixture {
  text: string;
  doc: Y.Doc;
  labels: LabelDto[];
  spanCount: number;
  overlapping: number;
  relationCount: number;
}

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the minister said on tuesday that government would not raise taxes before election officials " +
  "denied reports claimed according to sources familiar with matter could might possibly expected " +
  "spokesperson company statement analysts warned prices rise next year police investigation " +
  "evidence suggests however critics argued report published data shows percent million people " +
  "city council vote delayed court ruled lawyers appeal decision weeks"
).split(" ");
const EXTRAS = ["😀", "👍🏽", "café", "naïve", "Zürich", "“quoted”", "U.S.", "COVID-19", "don't"];

/** Builds the fixture text of about `bytes` UTF-16 code units. */
export function benchText(bytes: number, random: () => number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const sentences = 3 + Math.floor(random() * 5);
    let para = "";
    for (let s = 0; s < sentences; s++) {
      const n = 8 + Math.floor(random() * 18);
      const words: string[] = [];
      for (let i = 0; i < n; i++) {
        words.push(
          random() < 0.03
            ? EXTRAS[Math.floor(random() * EXTRAS.length)]!
            : WORDS[Math.floor(random() * WORDS.length)]!,
        );
      }
      const sentence = words.join(" ");
      para += (s ? " " : "") + sentence[0]!.toUpperCase() + sentence.slice(1) + (random() < 0.1 ? "?" : ".");
    }
    parts.push(para);
    size += para.length + 2;
  }
  // Mostly blank-line paragraphs, some single line breaks and CRLFs, as imported texts have.
  let text = parts[0]!;
  for (let i = 1; i < parts.length; i++) {
    const r = random();
    text += (r < 0.1 ? "\r\n\r\n" : r < 0.2 ? "\n" : "\n\n") + parts[i];
  }
  return text;
}

export function benchLabels(): LabelDto[] {
  return DEFAULT_LABELS.map((l, i) => ({
    id: i + 1,
    projectId: 1,
    name: l.name,
    color: l.color,
    hotkey: l.hotkey,
    description: l.description,
    order: i,
  }));
}

/** The whole fixture: text, Y.Doc with spans and relations, labels. */
export function makeBenchFixture(
  opts: { bytes?: number; spans?: number; relations?: number; seed?: number } = {},
): BenchFixture {
  const { bytes = 200_000, spans = 3000, relations = 200, seed = 4 } = opts;
  const random = rng(seed);
  const text = benchText(bytes, random);
  const tokens = tokenize(text).filter((t) => /\p{L}/u.test(t.text));
  const doc = new Y.Doc();
  const map = spansOf(doc);
  const base = Math.round((spans * 2) / 3);
  const segment = Math.floor(tokens.length / base);
  const baseSpans: Array<{ id: string; first: number; last: number }> = [];
  let n = 0;
  doc.transact(() => {
    // Two thirds: disjoint spans of 2–7 tokens, one per segment of the text.
    for (let k = 0; k < base; k++) {
      const len = 2 + Math.floor(random() * 6);
      const first = k * segment + Math.floor(random() * Math.max(1, segment - len - 2));
      const last = Math.min(first + len - 1, (k + 1) * segment - 3);
      const id = `b${k}`;
      baseSpans.push({ id, first, last });
      map.set(id, {
        start: tokens[first]!.start,
        end: tokens[last]!.end,
        label: 1 + (k % 4),
        author: 1 + (k % 3),
        createdAt: 0,
      });
      n++;
    }
    // One third: each overlaps a base span, nested inside it or crossing its end.
    for (let k = 0; n < spans; k++) {
      const b = baseSpans[Math.floor(random() * baseSpans.length)]!;
      if (b.last <= b.first) continue;
      const nested = random() < 0.5;
      const first = nested
        ? b.first + Math.floor(random() * (b.last - b.first))
        : b.first + 1 + Math.floor(random() * (b.last - b.first));
      const last = nested
        ? Math.min(b.last, first + Math.floor(random() * 2))
        : b.last + 1 + Math.floor(random() * 2);
      if (last < first || !tokens[last]) continue;
      map.set(`o${k}`, {
        start: tokens[first]!.start,
        end: tokens[last]!.end,
        label: 1 + ((k + 2) % 4),
        author: 1 + (k % 3),
        createdAt: 0,
      });
      n++;
    }
    // Attributions (label 3) → the next base span.
    const rel = relationsOf(doc);
    for (let k = 0; k < relations && k * 7 + 1 < baseSpans.length; k++) {
      const from = baseSpans[k * 7]!;
      const to = baseSpans[k * 7 + 1]!;
      rel.set(`r${k}`, { from: from.id, to: to.id, type: "attributes", author: 1, createdAt: 0 });
    }
  });
  return {
    text,
    doc,
    labels: benchLabels(),
    spanCount: map.size,
    overlapping: spans - base,
    relationCount: relationsOf(doc).size,
  };
}
