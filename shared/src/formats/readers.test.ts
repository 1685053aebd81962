import { describe, expect, it } from "vitest";
import { readBrat } from "./brat";
import { readDoccano } from "./doccano";
import { readGloss } from "./gloss";
import { readLabelStudio } from "./labelStudio";
import { majorityVote } from "./majority";
import { splitIds } from "./split";
import type { ExportSpan, ImportDocument } from "./types";
import { resolveOffsets } from "./units";
import { readW3c } from "./w3c";

const doc = (
  spans: Array<{ start: number; end: number; text?: string; fragments?: Array<[number, number]> }>,
): ImportDocument => ({
  ref: {},
  spans: spans.map((s, i) => ({ ...s, label: "claim", pos: { line: i + 1 } })),
  relations: [],
  pos: {},
});

describe("offset unit resolution", () => {
  const text = "Say 😀 hello 😀 world";
  const cp = (q: string) => Array.from(text.slice(0, text.indexOf(q))).length;

  it("takes code points when they fit and UTF-16 when only UTF-16 fits (undeclared)", () => {
    const a = resolveOffsets(text, doc([{ start: cp("world"), end: cp("world") + 5, text: "world" }]));
    expect(a).toMatchObject({ unit: "codepoint", issues: [], spans: [{ start16: text.indexOf("world") }] });
    const b = resolveOffsets(
      text,
      doc([{ start: text.indexOf("world"), end: text.indexOf("world") + 5, text: "world" }]),
    );
    expect(b).toMatchObject({ unit: "utf16", issues: [], spans: [{ start16: text.indexOf("world") }] });
  });

  it("refuses UTF-16 offsets in a file declared as code points, naming the line", () => {
    const r = resolveOffsets(
      text,
      doc([{ start: text.indexOf("world"), end: text.indexOf("world") + 5, text: "world" }]),
      "codepoint",
    );
    expect(r.issues).toEqual([
      {
        line: 1,
        code: "unit_mismatch",
        message:
          "line 1: the offsets match the covered text only as UTF-16 code units, but the file is declared as Unicode code points",
      },
    ]);
    expect(r.spans).toEqual([]);
  });

  it("reports offsets that match the covered text in neither unit", () => {
    const r = resolveOffsets(
      text,
      doc([
        { start: 0, end: 3, text: "Say" },
        { start: 4, end: 9, text: "hello" },
      ]),
    );
    expect(r.issues.map((i) => i.code)).toEqual(["offset_mismatch"]);
    expect(r.issues[0]!.message).toBe(
      'line 2: offsets 4–9 (Unicode code points) cut "😀 hel", not the covered text "hello" (nor as the other offset unit)',
    );
  });

  it("reports offsets outside the text, reversed, or splitting a surrogate pair", () => {
    const r = resolveOffsets(
      text,
      doc([
        { start: 2, end: 99 },
        { start: 5, end: 5 },
        { start: 5, end: 7 },
      ]),
      "utf16",
    );
    expect(r.issues.map((i) => i.message)).toEqual([
      "line 1: offsets 2–99 are outside the text (0–21 UTF-16 code units)",
      "line 2: start 5 must be before end 5",
      "line 3: offsets 5–7 split a surrogate pair",
    ]);
  });

  it("joins brat fragments separated only by line breaks, and refuses fragments with text between", () => {
    const t = "ab\ncd ef";
    const ok = resolveOffsets(
      t,
      doc([
        {
          start: 0,
          end: 5,
          fragments: [
            [0, 2],
            [3, 5],
          ],
          text: "ab cd",
        },
      ]),
    );
    expect(ok.spans).toMatchObject([{ start16: 0, end16: 5 }]);
    const bad = resolveOffsets(
      t,
      doc([
        {
          start: 0,
          end: 8,
          fragments: [
            [0, 2],
            [6, 8],
          ],
          text: "ab ef",
        },
      ]),
    );
    expect(bad.issues[0]!.message).toBe("line 1: fragments 0 2;6 8 leave text between them");
  });
});

describe("readers name what is broken and where", () => {
  it("JSONL: a broken line is a parse error with its line number", () => {
    const r = readGloss('{"text":"a","spans":[]}\n{"text": "b", spans: []}\n', "f.jsonl");
    expect(r.documents).toHaveLength(1);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: "parse_error", file: "f.jsonl", line: 2 });
    expect(r.issues[0]!.message).toMatch(/^f\.jsonl line 2: not valid JSON/);
  });

  it("doccano: a malformed triple names its field", () => {
    const r = readDoccano('{"text":"abc","label":[[0,1,"x"],[0,"2","y"]]}\n');
    expect(r.issues.map((i) => i.message)).toEqual(["line 1, field label[1]: must be [start, end, label]"]);
  });

  it("Label Studio: predictions are read with their scores when a task has no annotations", () => {
    const tasks = [
      {
        data: { text: "Rain is likely." },
        predictions: [
          {
            model_version: "m1",
            score: 0.5,
            result: [
              {
                id: "a",
                type: "labels",
                value: { start: 0, end: 4, text: "Rain", labels: ["claim"] },
                score: 0.9,
              },
            ],
          },
          {
            result: [
              {
                id: "b",
                type: "labels",
                value: { start: 8, end: 14, text: "likely", labels: ["speculation"] },
              },
            ],
            score: 0.4,
          },
        ],
      },
    ];
    const r = readLabelStudio(JSON.stringify(tasks));
    expect(r.issues).toEqual([]);
    expect(r.documents[0]!.spans.map((s) => [s.label, s.score])).toEqual([
      ["claim", 0.9],
      ["speculation", 0.4],
    ]);
  });

  it("brat: a malformed line is a parse error naming the .ann file and line", () => {
    const files = new Map([
      ["a.txt", "Hello world"],
      ["a.ann", "T1\tclaim 0 5\tHello\nT2\tclaim zero 5\tHello\n#1\tAnnotatorNotes T9\tlost\n"],
      ["b.ann", "T1\tclaim 0 1\tH\n"],
    ]);
    const r = readBrat(files);
    expect(r.issues.map((i) => i.message)).toEqual([
      "a.ann line 2: malformed text-bound annotation (T) line",
      "a.ann line 3: the note refers to unknown T9",
      "b.ann: has no b.txt beside it",
    ]);
  });

  it("W3C: an annotation without a TextPositionSelector is refused", () => {
    const page = {
      type: "AnnotationPage",
      items: [
        {
          type: "Annotation",
          body: { type: "TextualBody", value: "claim", purpose: "classifying" },
          target: { source: "urn:gloss:document:1", selector: { type: "TextQuoteSelector", exact: "x" } },
        },
      ],
    };
    expect(readW3c(JSON.stringify(page)).issues.map((i) => i.message)).toEqual([
      "record 1, field target: needs a source and a TextPositionSelector",
    ]);
  });
});

describe("splits and majority", () => {
  it("a seeded shuffle gives the same split for the same seed, honouring the ratios", () => {
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    const a = splitIds(ids, [0.8, 0.1, 0.1], 7);
    expect(splitIds([...ids].reverse(), [0.8, 0.1, 0.1], 7)).toEqual(a);
    const counts = [0, 0, 0];
    for (const s of a.values()) counts[s]!++;
    expect(counts).toEqual([80, 10, 10]);
    const b = splitIds(ids, [0.8, 0.1, 0.1], 8);
    expect([...b.entries()]).not.toEqual([...a.entries()]);
  });

  it("keeps spans and relations found in more than half of the annotator layers", () => {
    const s = (id: string, start: number, label = "claim", author = 1): ExportSpan => ({
      id,
      start,
      end: start + 3,
      label,
      author,
      note: null,
      extra: null,
    });
    const rel = (from: string, to: string) => ({
      id: `${from}${to}`,
      from,
      to,
      type: "attributes",
      author: 1,
    });
    const out = majorityVote(
      [
        {
          layer: "user-1",
          spans: [s("a", 0, "claim", 1), s("b", 5, "attribution", 1)],
          relations: [rel("b", "a")],
        },
        {
          layer: "user-2",
          spans: [s("c", 0, "claim", 2), s("d", 5, "attribution", 2)],
          relations: [rel("d", "c")],
        },
        { layer: "user-3", spans: [s("e", 0, "denial", 3), s("f", 5, "attribution", 3)], relations: [] },
      ],
      4,
    );
    // 4 voters (one assigned annotator marked nothing): 3 needed; claim@0 has 2 votes
    expect(out.spans.map((x) => [x.start, x.label, x.extra])).toEqual([
      [5, "attribution", { annotators: [1, 2, 3], votes: 3, voters: 4 }],
    ]);
    expect(out.relations).toEqual([]);
    const three = majorityVote(
      [
        { layer: "user-1", spans: [s("a", 0), s("b", 5, "attribution")], relations: [rel("b", "a")] },
        { layer: "user-2", spans: [s("c", 0), s("d", 5, "attribution")], relations: [rel("d", "c")] },
      ],
      3,
    );
    expect(three.spans).toHaveLength(2);
    expect(three.relations).toEqual([
      { id: "m-r0", from: three.spans[1]!.id, to: three.spans[0]!.id, type: "attributes", author: null },
    ]);
  });
});
