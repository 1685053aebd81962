import { describe, expect, it } from "vitest";
import { conllDocument, readConll } from "./conll";
import { context, FIXTURE_LABELS, fixtureRecords } from "./fixtures.testutil";
import { hfCard, hfCardNames, hfLines } from "./huggingface";
import { spacyLine } from "./spacy";
import { decodeIob2, emptyDrops, tagNames, tagText } from "./tagging";
import type { ExportRecord, ExportSpan } from "./types";
import { resolveOffsets } from "./units";

const records = fixtureRecords();
const byName = (n: string) => records.find((r) => r.document.name === n)!;
/** Fixture documents whose spans sit on token boundaries inside one sentence. */
const ALIGNED = ["astral-emoji", "zwj", "nfd", "tabs", "rtl"];
const spansOf = (r: ExportRecord) => r.spans.map((s) => ({ start: s.start, end: s.end, label: s.label }));

function hfDecode(r: ExportRecord, granularity: "sentence" | "document") {
  const drops = emptyDrops();
  const lines = hfLines(r, { labels: FIXTURE_LABELS, policy: "keep-longest", granularity }, drops).map((l) =>
    JSON.parse(l),
  );
  const names = tagNames(FIXTURE_LABELS);
  const tokens = lines.flatMap((l) => l.tokens as string[]);
  const tags = lines.flatMap((l) => (l.ner_tags as number[]).map((t) => names[t]!));
  return { spans: decodeIob2(r.document.text, tokens, tags), lines, drops };
}

describe("token formats", () => {
  it.each(ALIGNED)("CoNLL-2003 round-trips the token-aligned spans of %s", (name) => {
    const r = byName(name);
    const drops = emptyDrops();
    const out = conllDocument(r, { labels: FIXTURE_LABELS, policy: "keep-longest" }, drops);
    expect(out.startsWith("-DOCSTART- -X- -X- O\n\n")).toBe(true);
    const [doc] = readConll(out);
    expect(decodeIob2(r.document.text, doc!.tokens, doc!.tags)).toEqual(spansOf(r));
    expect(drops).toEqual(emptyDrops());
    for (const line of out.split("\n").filter((l) => l && !l.startsWith("-DOCSTART-"))) {
      expect(line.split(" ")).toHaveLength(4);
      expect(line.split(" ").slice(1, 3)).toEqual(["-X-", "_"]);
    }
  });

  it.each(ALIGNED)("Hugging Face JSONL round-trips the token-aligned spans of %s", (name) => {
    const r = byName(name);
    for (const g of ["sentence", "document"] as const) expect(hfDecode(r, g).spans).toEqual(spansOf(r));
  });

  it("separates sentences with a blank line and restarts a span that crosses a sentence end with B-", () => {
    const r = byName("crlf");
    const out = conllDocument(r, { labels: FIXTURE_LABELS, policy: "keep-longest" }, emptyDrops());
    expect(out).toContain("this -X- _ I-claim\n. -X- _ I-claim\n\nLine -X- _ B-claim\ntwo -X- _ I-claim\n");
    const { spans, lines } = hfDecode(r, "sentence");
    const t = r.document.text;
    expect(spans[0]).toEqual({ start: t.indexOf("claims"), end: t.indexOf(".") + 1, label: "claim" });
    expect(spans[1]).toEqual({
      start: t.indexOf("Line two"),
      end: t.indexOf("Line two") + 8,
      label: "claim",
    });
    expect(lines.map((l) => l.id)).toEqual([
      `${r.document.id}-gold-0`,
      `${r.document.id}-gold-1`,
      `${r.document.id}-gold-2`,
    ]);
  });

  it("cuts tokens where a span starts or ends inside one, so no span is widened (CJK has no spaces)", () => {
    const r = byName("cjk");
    const drops = emptyDrops();
    const { tokens, tags } = tagText(r.document.text, r.spans, FIXTURE_LABELS, "keep-longest", drops);
    expect(tokens.map((x) => x.text)).toEqual([
      "東京都は",
      "晴れです",
      "。",
      "𠮷野家の𩸽",
      "は美味しいと",
      "彼",
      "は言った",
      "。",
    ]);
    expect(tags).toEqual([0, 1, 0, 7, 0, 5, 0, 0]); // B-claim, B-speculation, B-attribution
    expect(drops).toEqual(emptyDrops());
  });

  it("applies the overlap policies and counts what each drops", () => {
    const text = "The prime minister said taxes will rise next year.";
    const at = (q: string, label: string, id: string): ExportSpan => {
      const start = text.indexOf(q);
      return { id, start, end: start + q.length, label, author: null, note: null, extra: null };
    };
    const spans = [
      at("prime minister", "attribution", "a"),
      at("The prime minister said taxes", "claim", "b"),
      at("taxes will rise", "speculation", "c"),
      at("   ", "claim", "d"),
    ];
    spans[3] = { ...spans[3]!, start: text.length, end: text.length }; // covers no token
    const longest = emptyDrops();
    const names = tagNames(FIXTURE_LABELS);
    const l = tagText(text, spans, FIXTURE_LABELS, "keep-longest", longest);
    expect(l.tags.map((t) => names[t])).toEqual([
      "B-claim",
      "I-claim",
      "I-claim",
      "I-claim",
      "I-claim",
      "O",
      "O",
      "O",
      "O",
      "O",
    ]);
    expect(longest).toEqual({
      overlap: 2,
      noToken: 1,
      byLabel: { attribution: 1, speculation: 1, claim: 1 },
    });
    const first = emptyDrops();
    const f = tagText(text, [spans[2]!, spans[0]!], FIXTURE_LABELS, "keep-first", first);
    expect(f.tags.map((t) => names[t])).toEqual([
      "O",
      "B-attribution",
      "I-attribution",
      "O",
      "B-speculation",
      "I-speculation",
      "I-speculation",
      "O",
      "O",
      "O",
    ]);
    expect(first.overlap).toBe(0);
  });

  it("writes a dataset card whose YAML names the ClassLabel names and reports dropped spans", () => {
    const card = hfCard({
      project: 'News: "claims"',
      layer: "gold",
      offsets: "codepoint",
      policy: "keep-longest",
      granularity: "sentence",
      seed: 42,
      ratios: [0.8, 0.1, 0.1],
      documents: { train: 8, validation: 1, test: 1 },
      configs: [
        { name: "default", dir: "", labels: FIXTURE_LABELS, examples: { train: 20, validation: 2, test: 3 } },
      ],
      drops: { overlap: 2, noToken: 1, byLabel: { claim: 3 } },
      exportedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(card.startsWith('---\npretty_name: "News: \\"claims\\""\n')).toBe(true);
    expect(hfCardNames(card)).toEqual(tagNames(FIXTURE_LABELS));
    expect(card).toContain(
      "  - name: ner_tags\n    sequence:\n      class_label:\n        names:\n          '0': \"O\"\n          '1': \"B-claim\"\n",
    );
    expect(card).toContain('  - split: validation\n    path: "validation.jsonl"');
    expect(card).toContain("  - name: test\n    num_examples: 3");
    expect(card).toContain("3 span(s) are not in the tags: 2 overlapped a kept span, 1 covered no token.");
  });

  it("spaCy/Prodigy spans carry inclusive token_end, token offsets and the covered text", () => {
    for (const r of records) {
      const drops = emptyDrops();
      const task = JSON.parse(spacyLine(r, context(), drops));
      const cps = Array.from(r.document.text);
      for (const t of task.tokens) expect(cps.slice(t.start, t.end).join("")).toBe(t.text);
      for (const s of task.spans) {
        expect(task.tokens[s.token_start].start).toBe(s.start);
        expect(task.tokens[s.token_end].end).toBe(s.end);
        expect(cps.slice(s.start, s.end).join("")).toBe(s.text);
      }
      const doc = {
        ref: {},
        spans: task.spans.map((s: { start: number; end: number; label: string; text: string }) => ({
          ...s,
          pos: {},
        })),
        relations: [],
        pos: {},
      };
      const back = resolveOffsets(r.document.text, doc, "codepoint");
      expect(back.issues).toEqual([]);
      expect(back.spans.map((s) => ({ start: s.start16, end: s.end16, label: s.span.label }))).toEqual(
        spansOf(r),
      );
      // spaCy's Doc of the tokens is the text: each token owns at most one following space
      const rebuilt = task.tokens.map((t: { text: string; ws: boolean }) => t.text + (t.ws ? " " : ""));
      expect(rebuilt.join("")).toBe(r.document.text);
    }
  });
});
