import { expect, test } from "vitest";
import { hslToHex, initials, userColor } from "./colors";

test("user colours are stable hex and differ between neighbours", () => {
  expect(userColor(7)).toBe(userColor(7));
  expect(userColor(7)).toMatch(/^#[0-9a-f]{6}$/);
  const first = new Set([1, 2, 3, 4, 5, 6].map(userColor));
  expect(first.size).toBe(6);
  expect(hslToHex(0, 1, 0.5)).toBe("#ff0000");
  expect(hslToHex(120, 1, 0.25)).toBe("#008000");
});

test("initials: two words, one word, emoji kept whole", () => {
  expect(initials("Ada Lovelace")).toBe("AL");
  expect(initials("grace")).toBe("GR");
  expect(initials("jean-paul")).toBe("JP");
  expect(initials("😀x")).toBe("😀X");
  expect(initials("  ")).toBe("?");
});
