import { getSchema } from "@tiptap/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { textSchemaExtensions } from "./schema";
import {
  buildPmDoc,
  CHUNKED_FROM,
  chunkLines,
  chunkOfLine,
  layoutText,
  offsetToPos,
  posToOffset,
  textToPmJson,
} from "./textLayout";

const schema = getSchema(textSchemaExtensions);

/** Offsets that are not strictly inside a line break (between CR and LF): every one a position can express. */
function expressibleOffsets(text: string): number[] {
  const out: number[] = [];
  for (let o = 0; o <= text.length; o++) if (!(text[o - 1] === "\r" && text[o] === "\n")) out.push(o);
  return out;
}

function contentPositions(text: string, chunkChars = 0): number[] {
  const l = layoutText(text, chunkChars);
  const out: number[] = [];
  l.paraStarts.forEach((p, i) => {
    for (let k = 0; k <= l.lineEnds[i]! - l.lineStarts[i]!; k++) out.push(p + k);
  });
  return out;
}

const CASES: Record<string, string> = {
  empty: "",
  emoji: "I 😀 you 👍🏽 and 𝕏 too",
  zwj: "family: 👨‍👩‍👧‍👦 and flag 🏳️‍🌈 end",
  crlf: "one\r\ntwo\r\n\r\nfour",
  cr: "old mac\rline two\r\rline four",
  mixed: "a\nb\r\nc\rd\n\n",
  combining: "Cafe\u0301 nai\u0308ve Z\u00fcrich",
  emptyLines: "\n\n\nlast",
  edges: "  leading and trailing  \t",
  tabs: "col1\tcol2\t\tcol4",
};

describe("layoutText / buildPmDoc", () => {
  test.each(Object.entries(CASES))("%s: one paragraph per line, the exact text in each", (_name, text) => {
    const doc = buildPmDoc(schema, text);
    const lines = text.split(/\r\n|\r|\n/);
    expect(doc.childCount).toBe(lines.length);
    for (let i = 0; i < doc.childCount; i++) expect(doc.child(i).textContent).toBe(lines[i]);
    expect(doc.content.size).toBe(layoutText(text).docSize);
    // The JSON Tiptap loads describes the same document.
    expect(schema.nodeFromJSON(textToPmJson(text)).eq(doc)).toBe(true);
  });

  test("line starts and ends honour CRLF, CR and LF", () => {
    const l = layoutText("a\r\nbb\rccc\n");
    expect(l.lineStarts).toEqual([0, 3, 6, 10]);
    expect(l.lineEnds).toEqual([1, 5, 9, 10]);
    expect(l.paraStarts).toEqual([1, 4, 8, 13]);
  });
});

describe("offsetToPos / posToOffset", () => {
  test.each(Object.entries(CASES))("%s: every offset and position round-trips", (_name, text) => {
    const l = layoutText(text);
    const doc = buildPmDoc(schema, text);
    for (const o of expressibleOffsets(text)) {
      const pos = offsetToPos(l, o);
      expect(posToOffset(l, pos)).toBe(o);
      expect(pos).toBeGreaterThanOrEqual(1);
      expect(pos).toBeLessThanOrEqual(doc.content.size - 1);
    }
    for (const p of contentPositions(text)) expect(offsetToPos(l, posToOffset(l, p))).toBe(p);
  });

  test("the text between two positions is the text between their offsets (minus line breaks)", () => {
    const text = CASES.zwj! + "\r\n" + CASES.combining!;
    const l = layoutText(text);
    const doc = buildPmDoc(schema, text);
    const from = offsetToPos(l, 7);
    const to = offsetToPos(l, text.length - 3);
    expect(doc.textBetween(from, to, "\n")).toBe(text.slice(7, text.length - 3).replace("\r\n", "\n"));
  });

  test("an offset between CR and LF maps to the line's end; biased, boundaries snap to the visible side", () => {
    const l = layoutText("ab\r\ncd");
    expect(offsetToPos(l, 3)).toBe(offsetToPos(l, 2));
    // A span start at or inside a line break begins on the next line...
    expect(offsetToPos(l, 2, 1)).toBe(offsetToPos(l, 4));
    expect(offsetToPos(l, 3, 1)).toBe(offsetToPos(l, 4));
    // ...and a span end at a line start ends on the previous line.
    expect(offsetToPos(l, 4, -1)).toBe(offsetToPos(l, 2));
    // Elsewhere the bias changes nothing.
    expect(offsetToPos(l, 1, 1)).toBe(offsetToPos(l, 1));
    expect(offsetToPos(l, 0, -1)).toBe(1);
    expect(offsetToPos(l, 6, 1)).toBe(offsetToPos(l, 6));
  });

  test("positions between paragraphs clamp to the nearest line edge", () => {
    const l = layoutText("ab\ncd");
    expect(posToOffset(l, 0)).toBe(0);
    expect(posToOffset(l, 4)).toBe(2); // after paragraph 1's closing token, before paragraph 2 opens
    expect(posToOffset(l, 5)).toBe(3);
    expect(posToOffset(l, 100)).toBe(5);
  });

  test("round trip on generated texts (astral, ZWJ, combining marks, CR/LF)", () => {
    const piece = fc.constantFrom(
      "a",
      "Z",
      " ",
      "\t",
      "\n",
      "\r",
      "\r\n",
      "😀",
      "👍🏽",
      "👨‍👩‍👧",
      "e\u0301",
      "中",
      "\u200d",
      "",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const text = parts.join("");
        const l = layoutText(text);
        const doc = buildPmDoc(schema, text);
        expect(doc.content.size).toBe(l.docSize);
        for (const o of expressibleOffsets(text)) expect(posToOffset(l, offsetToPos(l, o))).toBe(o);
        for (const p of contentPositions(text)) expect(offsetToPos(l, posToOffset(l, p))).toBe(p);
      }),
      { numRuns: 300 },
    );
  });
});

describe("chunked layout (a long text's lines grouped into chunks)", () => {
  /** Every line's paragraph sits at its paraStart, inside a chunk, with exactly the line's text. */
  function expectChunkedDoc(text: string, chunkChars: number) {
    const l = layoutText(text, chunkChars);
    const doc = buildPmDoc(schema, text, l);
    expect(doc.content.size).toBe(l.docSize);
    expect(doc.childCount).toBe(l.chunkStarts.length);
    expect(schema.nodeFromJSON(textToPmJson(text, l)).eq(doc)).toBe(true);
    const lines = text.split(/\r\n|\r|\n/);
    l.paraStarts.forEach((p, i) => {
      const at = doc.resolve(p);
      expect(at.parent.type.name).toBe("paragraph");
      expect(at.node(at.depth - 1).type.name).toBe("chunk");
      expect(at.parent.textContent).toBe(lines[i]);
      expect(at.parentOffset).toBe(0);
    });
    for (const o of expressibleOffsets(text)) expect(posToOffset(l, offsetToPos(l, o))).toBe(o);
    for (const p of contentPositions(text, chunkChars)) expect(offsetToPos(l, posToOffset(l, p))).toBe(p);
  }

  test.each(Object.entries(CASES))("%s: chunks hold the lines, positions round-trip", (_name, text) => {
    expectChunkedDoc(text, 3);
  });

  test("a long text is chunked by default, a short one is not", () => {
    expect(layoutText("a\nb").chunkStarts).toEqual([]);
    const long = "word ".repeat(CHUNKED_FROM / 5 - 10) + "\nend";
    const l = layoutText(long.padEnd(CHUNKED_FROM + 10, "x"));
    expect(l.chunkStarts.length).toBeGreaterThan(0);
  });

  test("chunks close after CHUNK_CHARS-ish runs of lines, empty lines included", () => {
    const l = layoutText("aaaa\nbb\n\n\n\ncccccc\nd", 4);
    // "aaaa" + break is 5: a chunk of its own; "bb" + break + an empty line make 4; then two empty lines
    // and "cccccc"; the last line closes the last chunk.
    expect(l.chunkStarts).toEqual([0, 1, 3, 6]);
    expect(chunkLines(l, 1)).toEqual([1, 3]);
    expect(chunkLines(l, 3)).toEqual([6, 7]);
    expect(chunkOfLine(l, 4)).toBe(2);
    expect(chunkOfLine(l, 6)).toBe(3);
  });

  test("positions between chunks clamp to the nearest line edge", () => {
    const l = layoutText("ab\ncd", 1);
    // <chunk><p>ab</p></chunk><chunk><p>cd</p></chunk>: "ab" at 2..4, "cd" at 8..10
    expect(l.paraStarts).toEqual([2, 8]);
    expect(posToOffset(l, 0)).toBe(0);
    expect(posToOffset(l, 5)).toBe(2);
    expect(posToOffset(l, 7)).toBe(2);
    expect(posToOffset(l, 9)).toBe(4);
    expect(offsetToPos(l, 2, 1)).toBe(8);
    expect(offsetToPos(l, 3, -1)).toBe(4);
  });

  test("round trip on generated texts and chunk sizes", () => {
    const piece = fc.constantFrom("a", " ", "\n", "\r", "\r\n", "😀", "e\u0301", "");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (parts, size) => {
        expectChunkedDoc(parts.join(""), size);
      }),
      { numRuns: 200 },
    );
  });
});
