import { describe, expect, it } from "vitest";
import { convertPredictions, labelConfig } from "./labelStudio";

const labels = [
  { id: 1, name: "claim" },
  { id: 2, name: 'a "quoted" <label>' },
];

describe("convertPredictions", () => {
  const text = "😀😀 ok then ok";
  it("converts code points to UTF-16 and keeps only regions whose text matches", () => {
    const answer = {
      results: [
        {
          model_version: "v2",
          score: 0.4,
          result: [
            { value: { start: 3, end: 5, text: "ok", labels: ["claim"] }, score: 0.9 },
            { value: { start: 5, end: 7, text: "ok", labels: ["claim"] } }, // UTF-16 offsets: wrong text
            { value: { start: 11, end: 13, text: "ok", labels: ["claim"] } },
            { value: { start: 11, end: 13, text: "ok", labels: ["nope"] } },
            { value: { start: 1, end: 1, text: "", labels: ["claim"] } },
            "junk",
          ],
        },
      ],
    };
    expect(convertPredictions(answer, text, labels)).toEqual({
      modelVersion: "v2",
      suggestions: [
        { start: 5, end: 7, label: 1, score: 0.9 },
        { start: 13, end: 15, label: 1, score: 0.4 },
      ],
      dropped: 4,
    });
  });

  it("takes a bare list (older backends) and refuses an answer without results", () => {
    expect(convertPredictions([{ result: [] }], text, labels)).toEqual({
      modelVersion: "",
      suggestions: [],
      dropped: 0,
    });
    expect(() => convertPredictions({ predictions: [] }, text, labels)).toThrow(/results/);
    expect(() => convertPredictions(null, text, labels)).toThrow(/results/);
  });
});

describe("labelConfig", () => {
  it("escapes label names", () => {
    expect(labelConfig(labels)).toBe(
      '<View><Labels name="label" toName="text"><Label value="claim"/><Label value="a &quot;quoted&quot; &lt;label&gt;"/></Labels><Text name="text" value="$text"/></View>',
    );
  });
});
