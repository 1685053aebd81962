/**
 * The CSV export writer (csv-stringify) and reader (csv-parse): the bytes stay what RFC 4180 says (and what
 * Gloss wrote before it used the libraries), and a broken file is an error naming its line.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvHeader, csvRows, neutraliseCell, readCsv } from "./csv";
import { context, fixtureRecords } from "./fixtures.testutil";
import { soundRecord } from "./sound";
import type { ExportRecord } from "./types";

/** RFC 4180 by hand, the rule the writer must keep: quote a field with a comma, quote, CR or LF; double its quotes. */
const rfc4180 = (cells: Array<string | number | null>) =>
  `${cells
    .map((c) => {
      const s = c === null ? "" : String(c);
      return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    })
    .join(",")}\r\n`;

const ctx = context("utf16"); // offsets as stored, as in the record
const cellsOf = (r: ExportRecord) =>
  r.spans.map((s) => [
    r.document.id,
    r.document.name,
    r.layer,
    s.id,
    s.start,
    s.end,
    s.label,
    r.document.text.slice(s.start, s.end),
    s.author,
    s.note,
  ]);

/** Text with the characters that matter to CSV mixed into ordinary ones. */
const csvText = fc.string({
  unit: fc.constantFrom("a", "é", "😀", " ", ",", '"', "\r", "\n", "\t", ";", "'", "="),
  maxLength: 12,
});

describe("CSV export writer", () => {
  it("writes the header and the fixture records byte for byte as RFC 4180 says", () => {
    expect(csvHeader()).toBe(rfc4180([...CSV_COLUMNS]));
    for (const r of fixtureRecords()) {
      expect(csvRows(r, ctx)).toBe(cellsOf(r).map(rfc4180).join(""));
    }
  });

  it("writes any names, labels, notes and texts byte for byte as RFC 4180 says, and reads them back", () => {
    const [base] = fixtureRecords();
    fc.assert(
      fc.property(
        fc.record({
          name: csvText,
          label: csvText,
          note: fc.option(csvText),
          text: csvText.filter((t) => t.length > 0),
          author: fc.option(fc.nat()),
        }),
        ({ name, label, note, text, author }) => {
          const record: ExportRecord = {
            ...base!,
            document: { ...base!.document, name, text },
            spans: [{ id: "s1", start: 0, end: text.length, label, author, note, extra: null }],
            relations: [],
          };
          fc.pre(soundRecord(record) === record); // a stored span is sound (the writers skip others)
          const out = csvRows(record, { offsets: "utf16", raw: true });
          expect(out).toBe(cellsOf(record).map(rfc4180).join(""));
          const [, row] = readCsv(csvHeader() + out);
          expect(row).toEqual(cellsOf(record)[0]!.map((c) => (c === null ? "" : String(c))));
        },
      ),
    );
  });

  it("neutralises cells a spreadsheet would run as formulas, unless raw (OWASP CSV injection, issue 17)", () => {
    const [base] = fixtureRecords();
    const hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];
    for (const cell of hostile) {
      const text = `${cell} tail`;
      const record: ExportRecord = {
        ...base!,
        document: { ...base!.document, name: cell, text },
        spans: [{ id: "s1", start: 0, end: text.length, label: cell, author: 7, note: cell, extra: null }],
        relations: [],
      };
      const [, safe] = readCsv(csvHeader() + csvRows(record, { offsets: "utf16" }));
      const at = (row: string[] | undefined, col: (typeof CSV_COLUMNS)[number]) =>
        row![CSV_COLUMNS.indexOf(col)];
      for (const col of ["document_name", "label", "text", "note"] as const) {
        expect(at(safe, col)!.startsWith("'"), `${col} of ${JSON.stringify(cell)}`).toBe(true);
        expect(at(safe, col)!.slice(1)).toBe(col === "text" ? text : cell);
      }
      const [, raw] = readCsv(csvHeader() + csvRows(record, { offsets: "utf16", raw: true }));
      expect(at(raw, "text")).toBe(text);
      expect(at(raw, "label")).toBe(cell);
    }
    // ordinary cells are untouched, and numbers (offsets, author) are never prefixed
    expect(neutraliseCell("a claim")).toBe("a claim");
    expect(neutraliseCell("'quoted")).toBe("'quoted");
    expect(neutraliseCell("")).toBe("");
  });

  it("writes nothing for a record without spans", () => {
    const [base] = fixtureRecords();
    expect(csvRows({ ...base!, spans: [] }, ctx)).toBe("");
  });
});

describe("readCsv", () => {
  it("reads quoted commas, doubled quotes and line breaks kept exactly", () => {
    expect(readCsv('a,b\r\n"x, y","say ""hi""\r\nthere"\r\n,\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"\r\nthere'],
      ["", ""],
    ]);
  });

  it("an unclosed quote is an error naming the line it opens on", () => {
    expect(() => readCsv('a,b\r\n"one\r\ntwo",b\r\nc,"never closed\r\nd\r\n')).toThrow(
      /^CSV line 4: this quoted field is never closed$/,
    );
    expect(() => readCsv('a,b\n"open\n')).toThrow(/^CSV line 2: this quoted field is never closed$/);
  });

  it('a quote inside an unquoted field (a,b"c,d) is an error naming its line, not a misread', () => {
    expect(() => readCsv('w,x,y,z\na,b"c,d\n')).toThrow(/^CSV line 2: a quote \(".*inside an unquoted field/);
    expect(() => readCsv('w,x\n"one\r\nline",2\na,"b"c\n')).toThrow(
      /^CSV line 4: unexpected "c" after a closing quote$/,
    );
  });

  it("a row with another number of fields than the first is an error", () => {
    expect(() => readCsv("a,b\nc\n")).toThrow(/^CSV line 2: the record has the wrong number of fields/);
  });
});
