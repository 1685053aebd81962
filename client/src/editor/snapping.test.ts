import { splitsSurrogatePair } from "@gloss/shared";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { clusterLength, snapExact, snapRange, snapToCharacters, snapToWords, stepBoundary } from "./snapping";

const cut = (text: string, r: { start: number; end: number } | null) =>
  r ? text.slice(r.start, r.end) : null;

describe("snapToWords", () => {
  const text = "The minister said: “taxes won't rise”, officials denied.";
  test("a selection starting or ending inside a word grows to the word", () => {
    expect(cut(text, snapToWords(text, 6, 10))).toBe("minister");
    expect(cut(text, snapToWords(text, 5, 16))).toBe("minister said");
    expect(cut(text, snapToWords(text, 22, 28))).toBe("taxes won't");
  });
  test("whitespace at either end is dropped; whitespace alone is nothing", () => {
    expect(cut(text, snapToWords(text, 3, 13))).toBe("minister");
    expect(snapToWords(text, 3, 4)).toBeNull();
    expect(snapToWords(text, 5, 5)).toBeNull();
  });
  test("a selection already on word boundaries is kept, punctuation included", () => {
    expect(cut(text, snapToWords(text, 4, 18))).toBe("minister said:");
    expect(cut(text, snapToWords(text, 19, 37))).toBe("“taxes won't rise”");
  });
  test("reversed bounds are accepted", () => {
    expect(cut(text, snapToWords(text, 10, 6))).toBe("minister");
  });
  test("emoji with modifiers and ZWJ sequences are one token", () => {
    const t = "ok 👍🏽 and 👨‍👩‍👧 here";
    expect(cut(t, snapToWords(t, 4, 5))).toBe("👍🏽");
    expect(cut(t, snapToWords(t, 15, 16))).toBe("👨‍👩‍👧");
  });
  test("combining marks stay with their letters", () => {
    const t = "un cafe\u0301 noir";
    expect(cut(t, snapToWords(t, 4, 6))).toBe("cafe\u0301");
    expect(cut(t, snapToWords(t, 7, 8))).toBe("cafe\u0301");
  });
  test("never splits a surrogate pair, on any text and any selection", () => {
    const piece = fc.constantFrom("a", "b", " ", "\n", "😀", "𝕏", "👍🏽", "-", "'", ".", "e\u0301");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(), fc.nat(), (parts, a, b) => {
        const t = parts.join("");
        const s = a % (t.length + 1);
        const e = b % (t.length + 1);
        const lo = Math.min(s, e);
        const hi = Math.max(s, e);
        const sel = t.slice(lo, hi);
        for (const mode of ["word", "character", "exact"] as const) {
          const r = snapRange(t, s, e, mode);
          if (!r) continue;
          expect(r.start).toBeLessThan(r.end);
          // Snapping only ever grows the selection (word snapping first drops surrounding whitespace).
          const lead = mode === "word" ? sel.length - sel.trimStart().length : 0;
          const trail = mode === "word" ? sel.length - sel.trimEnd().length : 0;
          expect(r.start).toBeLessThanOrEqual(lo + lead);
          expect(r.end).toBeGreaterThanOrEqual(hi - trail);
          expect(splitsSurrogatePair(t, r.start)).toBe(false);
          expect(splitsSurrogatePair(t, r.end)).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("character and exact snapping", () => {
  test("character snapping keeps the selection but takes whole grapheme clusters", () => {
    const t = "a 👨‍👩‍👧 e\u0301 b";
    expect(cut(t, snapToCharacters(t, 0, 1))).toBe("a");
    expect(cut(t, snapToCharacters(t, 3, 4))).toBe("👨‍👩‍👧");
    const e = t.indexOf("e");
    expect(cut(t, snapToCharacters(t, e, e + 1))).toBe("e\u0301");
    expect(cut(t, snapToCharacters(t, 1, 2))).toBe(" ");
  });
  test("exact keeps code units, only moving off half of a surrogate pair", () => {
    const t = "x😀y";
    expect(snapExact(t, 0, 2)).toEqual({ start: 0, end: 3 });
    expect(snapExact(t, 2, 4)).toEqual({ start: 1, end: 4 });
    expect(snapExact(t, 0, 1)).toEqual({ start: 0, end: 1 });
    expect(snapExact(t, 2, 2)).toBeNull();
  });
});

describe("clusterLength", () => {
  test("one for plain text, the whole cluster for emoji sequences and combining marks", () => {
    const t = "ab👍🏽e\u0301👨‍👩‍👧☺\ufe0fz";
    expect(clusterLength(t, 0)).toBe(1);
    expect(clusterLength(t, 2)).toBe(4);
    expect(clusterLength(t, 6)).toBe(2);
    expect(clusterLength(t, 8)).toBe(8);
    expect(clusterLength(t, 16)).toBe(2);
    expect(clusterLength(t, 18)).toBe(1);
  });
});

describe("stepBoundary", () => {
  const t = "alpha beta, gamma delta";
  test("by word: the next token start or end in either direction", () => {
    expect(stepBoundary(t, 10, 1, "end", "word")).toBe(11); // "beta" ends at 10, "," at 11
    expect(stepBoundary(t, 11, 1, "end", "word")).toBe(17);
    expect(stepBoundary(t, 17, -1, "end", "word")).toBe(11);
    expect(stepBoundary(t, 6, -1, "start", "word")).toBe(0);
    expect(stepBoundary(t, 6, 1, "start", "word")).toBe(10);
    expect(stepBoundary(t, 0, -1, "start", "word")).toBe(0);
    expect(stepBoundary(t, t.length, 1, "end", "word")).toBe(t.length);
  });
  test("by character: whole grapheme clusters", () => {
    const s = "a😀e\u0301b";
    expect(stepBoundary(s, 1, 1, "end", "character")).toBe(3);
    expect(stepBoundary(s, 3, 1, "end", "character")).toBe(5);
    expect(stepBoundary(s, 5, -1, "end", "character")).toBe(3);
  });
  test("finds edges beyond its first search chunk", () => {
    const long = `start ${"x".repeat(3000)} end`;
    expect(stepBoundary(long, 0, 1, "end", "word")).toBe(5);
    expect(stepBoundary(long, 5, 1, "end", "word")).toBe(3006);
    expect(stepBoundary(long, long.length, -1, "start", "word")).toBe(3007);
    expect(stepBoundary(long, 3007, -1, "start", "word")).toBe(6);
  });
});
