/**
 * spaCy / Prodigy spans (issue 13 item 15) held to what spaCy does with them: a Doc built from the tokens
 * and `ws` flags has exactly the text (`"".join(t.text + (" " if t.ws else ""))`), and every span is a
 * `Doc.char_span(start, end, alignment_mode="strict")`: it starts on a token's start and ends on a token's
 * end, so token_start..token_end covers exactly [start, end). The check below is that rule, in code points
 * as Python indexes.
 */
import { describe, expect, it } from "vitest";
import { isPythonSpace, spacyTokens } from "./alignTokens";
import { conllDocument, readConll } from "./conll";
import { context, FIXTURE_LABELS, fixtureRecords } from "./fixtures.testutil";
import { hfLines } from "./huggingface";
import { spacyLine } from "./spacy";
import { decodeIob2, emptyDrops, tagNames } from "./tagging";
import type { ExportRecord } from "./types";

interface Task {
  text: string;
  tokens: Array<{ text: string; start: number; end: number; id: number; ws: boolean }>;
  spans: Array<{ start: number; end: number; token_start: number; token_end: number; text: string }>;
}

/** What spaCy would say of a task: the problems, none when the Doc is the text and every span aligns. */
function spacyProblems(task: Task): string[] {
  const cps = Array.from(task.text);
  const problems: string[] = [];
  let rebuilt = "";
  let at = 0;
  for (const [i, t] of task.tokens.entries()) {
    if (t.id !== i) problems.push(`token ${i} has id ${t.id}`);
    if (t.text === "") problems.push(`token ${i} is empty`);
    if (t.start !== at) problems.push(`token ${i} starts at ${t.start}, the Doc puts it at ${at}`);
    if (cps.slice(t.start, t.end).join("") !== t.text) problems.push(`token ${i} is not text[start:end]`);
    rebuilt += t.text + (t.ws ? " " : "");
    at += Array.from(t.text).length + (t.ws ? 1 : 0);
  }
  if (rebuilt !== task.text) problems.push(`the tokens rebuild ${JSON.stringify(rebuilt)}`);
  for (const s of task.spans) {
    const first = task.tokens[s.token_start];
    const last = task.tokens[s.token_end];
    if (!first || first.start !== s.start)
      problems.push(`span ${s.start}-${s.end} does not start token_start`);
    if (!last || last.end !== s.end) problems.push(`span ${s.start}-${s.end} does not end at token_end`);
    if (s.token_end < s.token_start) problems.push(`span ${s.start}-${s.end} has token_end < token_start`);
    if (cps.slice(s.start, s.end).join("") !== s.text) problems.push(`span ${s.start}-${s.end} text`);
  }
  return problems;
}

/** A gold record of `text` with a span per quote (the n-th occurrence when given as [quote, n]). */
function record(text: string, quotes: Array<string | [string, number]>): ExportRecord {
  return {
    document: { id: 1, name: "t", meta: {}, text, sha256: "x" },
    layer: "gold",
    relations: [],
    spans: quotes.map((q, i) => {
      const [s, nth] = typeof q === "string" ? [q, 0] : q;
      let start = -1;
      for (let k = 0; k <= nth; k++) start = text.indexOf(s, start + 1);
      if (start < 0) throw new Error(`${s} not in the text`);
      return {
        id: `s${i}`,
        start,
        end: start + s.length,
        label: "claim",
        author: 1,
        note: null,
        extra: null,
      };
    }),
  };
}

const task = (r: ExportRecord, offsets: "codepoint" | "utf16" = "codepoint"): Task =>
  JSON.parse(spacyLine(r, context(offsets), emptyDrops()));

const CASES: Array<[string, ExportRecord]> = [
  [
    "inside a word",
    record("The co-founder said a founder is not a cofounder.", ["ounder", "co-found", "a f"]),
  ],
  ["tabs", record("col1\tcol2\t\tshe said\tit", ["col2", "she said\tit"])],
  ["CRLF", record("Line one.\r\nLine two.\r\n\r\nEnd \r\n", ["ne o", "two.\r\n", "End"])],
  ["double spaces", record("Two  spaces   and  more.  ", ["spaces   and", " and", "more.  "])],
  ["leading and trailing space", record("  starts here and ends ", ["starts", "ends "])],
  ["a span on a single space", record("a b c", [" ", "b ", [" c", 0]])],
  ["CJK", record("東京都は晴れです。𠮷野家の𩸽は美味しいと彼は言った。", ["晴れです", "𠮷野家の𩸽", "彼"])],
  ["astral", record("Hi 😀there 𝒳rose, 👨‍👩‍👧 go", ["😀there", "rose", "𝒳", "👩", "‍👧 go"])],
  ["nothing but whitespace", record("a \u00a0\u2003 b\u0085c\ufeffd", ["\u00a0", "c\ufeffd"])],
];

describe("spaCy / Prodigy spans as spaCy reads them", () => {
  it.each(CASES)("%s: the tokens rebuild the text and every span is a strict char_span", (_, r) => {
    for (const offsets of ["codepoint", "utf16"] as const) {
      const t = task(r, offsets);
      if (offsets === "codepoint") expect(spacyProblems(t)).toEqual([]);
      expect(t.spans).toHaveLength(r.spans.length);
    }
  });

  it("the Unicode fixture documents too", () => {
    for (const r of fixtureRecords()) expect(spacyProblems(task(r)), r.document.name).toEqual([]);
  });

  it("cuts the word a span starts inside and keeps its offsets", () => {
    const t = task(record("The co-founder said", ["ounder"]));
    const s = t.spans[0]!;
    expect(s).toMatchObject({ start: 8, end: 14, text: "ounder" });
    expect(t.tokens.slice(s.token_start, s.token_end + 1).map((x) => x.text)).toEqual(["ounder"]);
    expect(t.tokens[s.token_start - 1]!.text).toBe("co-f");
  });

  it("follows spaCy's tokenizer on whitespace: one following space is the ws flag, the rest are tokens", () => {
    const t = task(record("  a  b\tc\r\nd \u2003e ", []));
    expect(t.tokens.map((x) => [x.text, x.ws])).toEqual([
      ["  ", false],
      ["a", true],
      [" ", false],
      ["b", false],
      ["\t", false],
      ["c", false],
      ["\r\n", false],
      ["d", true],
      ["\u2003", false],
      ["e", true],
    ]);
  });

  it("knows Python's whitespace, not JavaScript's", () => {
    expect([0x1c, 0x1f, 0x85, 0x20, 0x3000].every(isPythonSpace)).toBe(true);
    expect([0xfeff, 0x200b, 0x180e, 0x41].some(isPythonSpace)).toBe(false);
  });

  it("spacyTokens cuts at every span boundary, also inside a run of spaces", () => {
    const text = "x     y";
    const toks = spacyTokens(text, [{ start: 3, end: 5 }]);
    expect(toks.map((x) => [x.text, x.ws])).toEqual([
      ["x", true],
      [" ", false],
      ["  ", false],
      [" ", false],
      ["y", false],
    ]);
  });
});

describe("the token formats share the guarantee", () => {
  it.each(CASES)("%s: CoNLL and Hugging Face tags decode to exactly the spans (no overlaps)", (_, r) => {
    // one span at a time: the single tag column cannot hold overlapping spans
    for (const span of r.spans) {
      if (!/\S/.test(r.document.text.slice(span.start, span.end))) continue; // covers no token
      const one = { ...r, spans: [span] };
      const trimmed = r.document.text.slice(span.start, span.end);
      const lead = trimmed.length - trimmed.trimStart().length;
      const trail = trimmed.length - trimmed.trimEnd().length;
      const want = [{ start: span.start + lead, end: span.end - trail, label: "claim" }];
      const drops = emptyDrops();
      const [doc] = readConll(conllDocument(one, { labels: FIXTURE_LABELS, policy: "keep-longest" }, drops));
      expect(decodeIob2(r.document.text, doc!.tokens, doc!.tags)).toEqual(want);
      const names = tagNames(FIXTURE_LABELS);
      const lines = hfLines(
        one,
        { labels: FIXTURE_LABELS, policy: "keep-longest", granularity: "document" },
        drops,
      ).map((l) => JSON.parse(l) as { tokens: string[]; ner_tags: number[] });
      const tags = lines.flatMap((l) => l.ner_tags.map((x) => names[x]!));
      expect(
        decodeIob2(
          r.document.text,
          lines.flatMap((l) => l.tokens),
          tags,
        ),
      ).toEqual(want);
      expect(drops).toEqual(emptyDrops());
    }
  });
});
