import { describe, expect, it } from "vitest";
import { bratAnn, bratBaseName, readBrat } from "./brat";
import { csvHeader, csvRows, readCsv } from "./csv";
import { doccanoLine, doccanoRelationLine, readDoccano } from "./doccano";
import { context, expected, fixtureRecords, relationTriples, resolved } from "./fixtures.testutil";
import { glossLine, readGloss } from "./gloss";
import { readLabelStudio } from "./labelStudio";
import type { ExportRecord, ImportDocument } from "./types";
import { resolveOffsets } from "./units";
import { readW3c } from "./w3c";
import { createTextWriter } from "./writers";

const records = fixtureRecords();
const ctx = context();

/** The record's relations as span-index triples. */
const recordRelations = (r: ExportRecord) =>
  relationTriples(r.relations, (id) => r.spans.findIndex((s) => s.id === id));

/** The imported document's relations as span-index triples (keys resolved among its spans). */
function importedRelations(doc: ImportDocument) {
  return relationTriples(doc.relations, (key) => doc.spans.findIndex((s) => s.key === key));
}

const writeAll = (format: "labelstudio" | "w3c", offsets: "codepoint" | "utf16" = "codepoint") => {
  const w = createTextWriter(format, { ...context(offsets), policy: "keep-longest", layer: "gold" });
  return w.begin() + records.map((r) => w.write(r)).join("") + w.end();
};

describe("round trip Gloss → format → Gloss", () => {
  it.each(["codepoint", "utf16"] as const)("gloss JSONL (%s) keeps everything", (offsets) => {
    const out = records.map((r) => glossLine(r, { offsets })).join("");
    const { documents, issues } = readGloss(out, "export.jsonl");
    expect(issues).toEqual([]);
    documents.forEach((doc, i) => {
      const r = records[i]!;
      expect(doc.unit).toBe(offsets);
      expect(doc.ref).toEqual({
        id: r.document.id,
        name: r.document.name,
        sha256: r.document.sha256,
        text: r.document.text,
      });
      expect(resolved(doc, r.document.text).map(({ key: _k, ...s }) => s)).toEqual(expected(r));
      expect(doc.spans.map((s) => s.key)).toEqual(r.spans.map((s) => s.id));
      expect(importedRelations(doc)).toEqual(recordRelations(r));
    });
    const first = JSON.parse(out.split("\n")[0]!);
    expect(first).toMatchObject({ meta: { source: "fixture" }, layer: "gold", offsets });
    expect(first.spans[0]).toMatchObject({ author: 7, createdAt: 1_700_000_000_000 });
  });

  it("doccano JSONL keeps spans; doccano relation JSONL keeps spans and relations", () => {
    const plain = readDoccano(records.map((r) => doccanoLine(r, ctx)).join(""));
    const rel = readDoccano(records.map((r) => doccanoRelationLine(r, ctx)).join(""));
    expect(plain.issues).toEqual([]);
    expect(rel.issues).toEqual([]);
    records.forEach((r, i) => {
      for (const { documents } of [plain, rel]) {
        expect(documents[i]!.ref).toMatchObject({
          id: r.document.id,
          name: r.document.name,
          text: r.document.text,
        });
        expect(resolved(documents[i]!, r.document.text).map(({ key: _k, ...s }) => s)).toEqual(
          expected(r, false),
        );
      }
      expect(importedRelations(rel.documents[i]!)).toEqual(recordRelations(r));
    });
  });

  it("Label Studio tasks keep spans, notes and relations", () => {
    const { documents, issues } = readLabelStudio(writeAll("labelstudio"));
    expect(issues).toEqual([]);
    records.forEach((r, i) => {
      expect(resolved(documents[i]!, r.document.text).map(({ key: _k, ...s }) => s)).toEqual(expected(r));
      expect(importedRelations(documents[i]!)).toEqual(recordRelations(r));
    });
  });

  it("brat standoff keeps spans (line-crossing ones as fragments), notes and relations", () => {
    const files = new Map<string, string>();
    for (const r of records) {
      files.set(`gold/${bratBaseName(r)}.txt`, r.document.text);
      files.set(`gold/${bratBaseName(r)}.ann`, bratAnn(r, ctx));
    }
    const { documents, issues } = readBrat(files);
    expect(issues).toEqual([]);
    const byId = new Map(documents.map((d) => [d.ref.id, d]));
    for (const r of records) {
      const doc = byId.get(r.document.id)!;
      expect(doc.ref.text).toBe(r.document.text);
      const flat = (n: string | null) => (n === null ? null : n.replace(/\r\n|\r|\n/g, " "));
      expect(resolved(doc, r.document.text).map(({ key: _k, ...s }) => s)).toEqual(
        expected(r).map((s) => ({ ...s, note: flat(s.note) })),
      );
      expect(importedRelations(doc)).toEqual(recordRelations(r));
    }
    const crlf = records.find((r) => r.document.name === "crlf")!;
    expect(bratAnn(crlf, ctx).split("\n")[0]).toBe("T1\tclaim 9 21;23 31\tclaims this. Line two");
  });

  it("W3C Web Annotation keeps spans, notes and relations", () => {
    const { documents, issues } = readW3c(writeAll("w3c"));
    expect(issues).toEqual([]);
    for (const r of records) {
      const doc = documents.find((d) => d.ref.id === r.document.id)!;
      expect(doc.unit).toBe("codepoint");
      expect(resolved(doc, r.document.text).map(({ key: _k, ...s }) => s)).toEqual(expected(r));
      expect(importedRelations(doc)).toEqual(recordRelations(r));
    }
  });

  it("CSV keeps spans and notes, quoting commas, quotes, tabs and line breaks", () => {
    const rows = readCsv(csvHeader() + records.map((r) => csvRows(r, ctx)).join(""));
    expect(rows[0]).toEqual([
      "document_id",
      "document_name",
      "layer",
      "span_id",
      "start",
      "end",
      "label",
      "text",
      "author",
      "note",
    ]);
    for (const r of records) {
      const mine = rows.slice(1).filter((row) => Number(row[0]) === r.document.id);
      const doc: ImportDocument = {
        ref: { id: r.document.id },
        spans: mine.map((row) => ({
          key: row[3],
          start: Number(row[4]),
          end: Number(row[5]),
          label: row[6]!,
          text: row[7],
          note: row[9] || undefined,
          pos: {},
        })),
        relations: [],
        pos: {},
      };
      expect(resolved(doc, r.document.text).map(({ key: _k, ...s }) => s)).toEqual(expected(r));
    }
  });

  it("detects UTF-16 offsets in an undeclared Label Studio file and refuses them when declared as code points", () => {
    const { documents } = readLabelStudio(writeAll("labelstudio", "utf16"));
    const astral = records.findIndex((r) => r.document.name === "astral-emoji");
    const doc = documents[astral]!;
    const text = records[astral]!.document.text;
    const auto = resolveOffsets(text, doc);
    expect(auto.issues).toEqual([]);
    expect(auto.unit).toBe("utf16");
    const declared = resolveOffsets(text, doc, "codepoint");
    expect(declared.issues).toHaveLength(1);
    expect(declared.issues[0]!.code).toBe("unit_mismatch");
    expect(declared.issues[0]!.message).toMatch(
      /record 1, field annotations\[0\]\.result\[0\]: the offsets match the covered text only as UTF-16 code units, but the file is declared as Unicode code points/,
    );
  });
});
