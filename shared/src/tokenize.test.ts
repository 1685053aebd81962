import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { sentences, TOKEN_PATTERN, tokenize } from "./tokenize";

/** The definition: every match of TOKEN_PATTERN. */
const reference = (text: string) =>
  Array.from(text.matchAll(TOKEN_PATTERN), (m) => ({
    start: m.index!,
    end: m.index! + m[0].length,
    text: m[0],
  }));

const tricky = [
  "a",
  "Z",
  "é",
  "e\u0301",
  "9",
  "٣",
  " ",
  "\t",
  "\n",
  "\r\n",
  "\u00a0",
  "\u2003",
  "\ufeff",
  "'",
  "’",
  "-",
  ".",
  ",",
  "!",
  "😀",
  "👍🏽",
  "👨‍👩‍👧",
  "\u200d",
  "\ufe0f",
  "©",
  "#",
  "中",
  "文",
  "ש",
  "ל",
  "\ud800",
  "\udc00",
  "🇫🇷",
  "☺",
  "x",
];

describe("tokenize", () => {
  test("words keep inner apostrophes, hyphens and periods", () => {
    expect(tokenize("Don't say U.S. COVID-19 isn’t real.").map((t) => t.text)).toEqual([
      "Don't",
      "say",
      "U.S",
      ".",
      "COVID-19",
      "isn’t",
      "real",
      ".",
    ]);
  });

  test("emoji sequences stay whole; offsets are UTF-16", () => {
    const text = "hi 👨‍👩‍👧 👍🏽!";
    const toks = tokenize(text);
    expect(toks.map((t) => t.text)).toEqual(["hi", "👨‍👩‍👧", "👍🏽", "!"]);
    for (const t of toks) expect(text.slice(t.start, t.end)).toBe(t.text);
  });

  test("the scanner produces exactly the matches of TOKEN_PATTERN (tricky alphabet)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tricky), { maxLength: 40 }), (parts) => {
        const text = parts.join("");
        expect(tokenize(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  test("the scanner produces exactly the matches of TOKEN_PATTERN (any Unicode)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        expect(tokenize(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("sentences", () => {
  test("end after . ! ? and at blank lines (LF, CRLF or CR)", () => {
    for (const nl of ["\n", "\r\n", "\r"]) {
      const text = `One two. Three four${nl}${nl}Five six! Seven`;
      const toks = tokenize(text);
      const got = sentences(text, toks).map(({ first, last }) =>
        toks
          .slice(first, last + 1)
          .map((t) => t.text)
          .join(" "),
      );
      expect(got).toEqual(["One two .", "Three four", "Five six !", "Seven"]);
    }
  });

  test("a single line break does not end a sentence", () => {
    const text = "one\ntwo";
    expect(sentences(text)).toEqual([{ first: 0, last: 1 }]);
  });

  test("empty text has no sentences", () => {
    expect(sentences("")).toEqual([]);
    expect(sentences("   \n\n ")).toEqual([]);
  });
});
