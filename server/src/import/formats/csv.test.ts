/**
 * The CSV document parser on csv-parse's streaming parser: records, their line numbers (exact even after
 * quoted CRLFs, which csv-parse's own counter takes for two lines), and errors naming file, line and column,
 * whatever the chunk boundaries.
 */
import { describe, expect, it } from "vitest";
import type { ParsedDocument } from "../document";
import { ImportError, type ImportErrorDetails } from "../errors";
import { csvParser } from "./csv";

/** Parses `input` pushed in chunks of `size` bytes; the documents, or the error's details. */
function read(input: string | Buffer, size = 1 << 20): ParsedDocument[] | ImportErrorDetails {
  const docs: ParsedDocument[] = [];
  const parser = csvParser({
    file: "t.csv",
    stem: "t",
    maxDocumentBytes: 1 << 20,
    sink: (d) => docs.push(d),
  });
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  try {
    for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
    parser.end();
    return docs;
  } catch (e) {
    if (e instanceof ImportError) return e.where;
    throw e;
  }
}

/** The same result for every chunk size (1, 2, 3, 7 bytes and all at once). */
function readAnyChunks(input: string | Buffer) {
  const whole = read(input);
  for (const size of [1, 2, 3, 7]) expect(read(input, size), `chunks of ${size}`).toEqual(whole);
  return whole;
}

const MULTILINE = 'name,text\r\none,"a\r\nb\r\nc"\r\n\r\ntwo,"x ""y"""\r\n';

describe("CSV import parser", () => {
  it("reads records with quoted line breaks, doubled quotes and blank lines between records; names unnamed ones by their line", () => {
    const docs = readAnyChunks(`${MULTILINE},unnamed\nlast,no final newline`) as ParsedDocument[];
    expect(docs.map((d) => [d.name, d.text])).toEqual([
      ["one", "a\r\nb\r\nc"],
      ["two", 'x "y"'],
      ["t-7", "unnamed"],
      ["last", "no final newline"],
    ]);
  });

  it("an unclosed quote is an error naming the line the quoted field opens on and its column", () => {
    expect(readAnyChunks(`${MULTILINE}three,"never closed\r\nmore\r\n`)).toEqual({
      file: "t.csv",
      line: 7,
      field: "text",
      reason: "this quoted field is never closed",
    });
  });

  it('a quote inside an unquoted field (a,b"c,d) is an error naming its line and column', () => {
    expect(readAnyChunks(`${MULTILINE}a,b"c\r\n`)).toEqual({
      file: "t.csv",
      line: 7,
      field: "text",
      reason: 'a quote (") inside an unquoted field: quote the whole field and double inner quotes',
    });
    expect(readAnyChunks('w,text,y,z\na,b"c,d\n')).toMatchObject({ line: 2, field: "text" });
    // the record starts on line 2, the bad field is on line 3
    expect(readAnyChunks('name,text\n"one\ntwo","x"y\n')).toEqual({
      file: "t.csv",
      line: 3,
      field: "text",
      reason: 'unexpected "y" after a closing quote',
    });
  });

  it("a record with another number of fields than the header names its line", () => {
    expect(readAnyChunks(`${MULTILINE}a,b,c\r\n`)).toMatchObject({
      line: 7,
      reason: "the record has 3 fields but the header has 2",
    });
  });

  it("invalid UTF-8 is an error naming its line, the earlier of two errors is the one reported", () => {
    const bad = Buffer.concat([
      Buffer.from(`${MULTILINE}three,caf`),
      Buffer.from([0xe9]),
      Buffer.from("\r\n"),
    ]);
    expect(readAnyChunks(bad)).toMatchObject({
      line: 7,
      reason: expect.stringMatching(/invalid UTF-8.*0xe9/),
    });
    const quoteFirst = Buffer.concat([Buffer.from('name,text\na,b"c\nd,caf'), Buffer.from([0xe9, 0x0a])]);
    expect(read(quoteFirst)).toMatchObject({ line: 2, reason: expect.stringMatching(/quote/) });
  });

  it("strips a BOM at the start only; an empty file has no header", () => {
    const docs = readAnyChunks(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("text\nhi\n")]));
    expect((docs as ParsedDocument[]).map((d) => d.text)).toEqual(["hi"]);
    expect(readAnyChunks("")).toMatchObject({ line: 1, reason: expect.stringMatching(/empty/) });
  });
});
