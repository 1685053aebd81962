import { describe, expect, it } from "vitest";
import { MAX_LEARNED_CHARS, StringMatcher } from "./stringMatch";

const exact = { caseSensitive: true, normalizeWhitespace: false };

describe("StringMatcher", () => {
  it("proposes whole-word occurrences, scored by how often the text had that label", () => {
    const m = new StringMatcher(
      [
        { text: "art", label: 1 },
        { text: "art", label: 1 },
        { text: "art", label: 2 },
        { text: "U.S.", label: 3 },
      ],
      exact,
    );
    const text = "art party, Art, the U.S. and art.";
    expect(
      m.predict(text).map((p) => [text.slice(p.start, p.end), p.label, Number(p.score.toFixed(2))]),
    ).toEqual([
      ["art", 1, 0.67],
      ["art", 2, 0.33],
      ["U.S.", 3, 1],
      ["art", 1, 0.67],
      ["art", 2, 0.33],
    ]);
  });

  it("matches case-insensitively and across whitespace when configured", () => {
    const m = new StringMatcher([{ text: "New  York", label: 1 }], {
      caseSensitive: false,
      normalizeWhitespace: true,
    });
    const text = "new york, NEW\nYORK and New Yorker";
    expect(m.predict(text).map((p) => text.slice(p.start, p.end))).toEqual(["new york", "NEW\nYORK"]);
    expect(new StringMatcher([{ text: "New  York", label: 1 }], exact).predict(text)).toEqual([]);
  });

  it("ignores blank and overlong texts, and treats regex characters literally", () => {
    const m = new StringMatcher(
      [
        { text: "  ", label: 1 },
        { text: "x".repeat(MAX_LEARNED_CHARS + 1), label: 1 },
        { text: "a+b (c)", label: 2 },
      ],
      exact,
    );
    expect(m.size).toBe(1);
    expect(m.predict("aab c, a+b (c)!")).toEqual([{ start: 7, end: 14, label: 2, score: 1 }]);
  });

  it("counts offsets in UTF-16, as the layer does", () => {
    const m = new StringMatcher([{ text: "café", label: 1 }], exact);
    expect(m.predict("🌉 café")).toEqual([{ start: 3, end: 7, label: 1, score: 1 }]);
  });
});
