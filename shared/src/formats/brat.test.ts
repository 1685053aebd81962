/**
 * brat import (issue 13 item 16): every kind of brat line is either carried (T spans, R relations between
 * two of them, AnnotatorNotes on a T) or counted by kind in `notImported` — none is dropped silently.
 */
import { describe, expect, it } from "vitest";
import { readBrat } from "./brat";
import { readJsonLines } from "./json";

const TEXT = "Alice met Bob in Paris. She left.";
const ANN = [
  "T1\tPerson 0 5\tAlice",
  "T2\tPerson 10 13\tBob",
  "T3\tMeet 6 9\tmet",
  "T4\tPerson 24 27\tShe",
  "E1\tMeet:T3 Agent:T1 Partner:T2",
  "R1\tKnows Arg1:T1 Arg2:T2",
  "R2\tCoref Anaphor:T4 Antecedent:T1\t",
  "R3\tCause Arg1:E1 Arg2:T2",
  "A1\tNegated E1",
  "M1\tSpeculated E1",
  "A2\tGender T1 Female",
  "N1\tReference T3 Wikidata:Q1\tmeeting",
  "*\tEquiv T1 T4",
  "#1\tAnnotatorNotes T2\tthe bob",
  "#2\tAnnotatorNotes E1\tan event's note",
  "",
].join("\n");

describe("readBrat", () => {
  it("imports spans, relations with any role names and span notes; counts every other line by kind", () => {
    const r = readBrat(
      new Map([
        ["a.ann", ANN],
        ["a.txt", TEXT],
      ]),
    );
    expect(r.issues).toEqual([]);
    const [doc] = r.documents;
    expect(doc!.spans.map((s) => [s.key, s.label, s.note])).toEqual([
      ["T1", "Person", undefined],
      ["T2", "Person", "the bob"],
      ["T3", "Meet", undefined],
      ["T4", "Person", undefined],
    ]);
    expect(doc!.relations.map((x) => [x.type, x.from, x.to])).toEqual([
      ["Knows", "T1", "T2"],
      ["Coref", "T4", "T1"],
    ]);
    expect(r.notImported).toEqual({
      events: 1,
      relations: 1,
      attributes: 3,
      normalizations: 1,
      equivalences: 1,
      notes: 1,
    });
  });

  it("counts nothing for a file Gloss carries whole", () => {
    const r = readBrat(
      new Map([
        ["a.ann", "T1\tPerson 0 5\tAlice\n"],
        ["a.txt", TEXT],
      ]),
    );
    expect(r.notImported).toEqual({});
  });
});

describe("readJsonLines", () => {
  it("gives a pretty-printed JSON file one error, not one per line", () => {
    for (const input of [
      JSON.stringify({ text: "a", spans: [] }, null, 2),
      JSON.stringify([{ text: "a" }, { text: "b" }], null, 2),
      `${JSON.stringify({ text: "a" }, null, 2)}\n${JSON.stringify({ text: "b" }, null, 2)}`,
    ]) {
      const { lines, issues } = readJsonLines(input, "f.jsonl");
      expect(lines).toEqual([]);
      expect(issues).toHaveLength(1);
      expect(issues[0]!.message).toMatch(/^f\.jsonl: this is pretty-printed JSON .* not JSON Lines/);
    }
  });

  it("still names each broken line of a JSON Lines file", () => {
    const { lines, issues } = readJsonLines('{"a":1}\n{"a":\n{"b":2}\n{', "f.jsonl");
    expect(lines.map((l) => l.line)).toEqual([1, 3]);
    expect(issues.map((i) => i.line)).toEqual([2, 4]);
  });
});
