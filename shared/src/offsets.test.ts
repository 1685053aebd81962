import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { codePointLength, OffsetMap, splitsSurrogatePair } from "./offsets";

describe("OffsetMap", () => {
  test("BMP text: both units coincide", () => {
    const m = new OffsetMap("héllo wörld");
    expect(m.toCodePoint(5)).toBe(5);
    expect(m.toUtf16(5)).toBe(5);
    expect(m.hasAstral).toBe(false);
  });

  test("astral characters: emoji and a ZWJ family", () => {
    const text = "a😀b👨‍👩‍👧c";
    const m = new OffsetMap(text);
    const cps = Array.from(text);
    expect(m.codePointLength).toBe(cps.length);
    // "b" is code point 2, UTF-16 index 3
    expect(m.toUtf16(2)).toBe(3);
    expect(m.toCodePoint(3)).toBe(2);
    expect(text.slice(m.toUtf16(2), m.toUtf16(3))).toBe("b");
    expect(() => m.toCodePoint(2)).toThrow(/surrogate/);
    expect(splitsSurrogatePair(text, 2)).toBe(true);
  });

  test("round trip on arbitrary Unicode (as Python would index it)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const m = new OffsetMap(text);
        const cps = Array.from(text);
        expect(m.codePointLength).toBe(cps.length);
        expect(codePointLength(text)).toBe(cps.length);
        for (let cp = 0; cp <= cps.length; cp++) {
          const u = m.toUtf16(cp);
          expect(text.slice(0, u)).toBe(cps.slice(0, cp).join(""));
          expect(m.toCodePoint(u)).toBe(cp);
        }
      }),
    );
  });

  test("out of range is an error, never a clamp", () => {
    const m = new OffsetMap("abc");
    expect(() => m.toUtf16(4)).toThrow(RangeError);
    expect(() => m.toCodePoint(-1)).toThrow(RangeError);
  });
});
