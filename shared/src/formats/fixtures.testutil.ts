/**
 * Test-only: the Unicode fixture (test/fixtures/formats/unicode.json) as export records, and helpers that
 * check offsets the way Python would (code points via Array.from).
 */
import fixture from "../../../test/fixtures/formats/unicode.json";
import type { ExportContext, ExportRecord, ImportDocument } from "./types";
import { resolveOffsets } from "./units";

export const FIXTURE_LABELS: string[] = fixture.labels;

/** Every fixture document as a gold record; span offsets found by UTF-16 search of each quote. */
export function fixtureRecords(): ExportRecord[] {
  return fixture.documents.map((d, i) => {
    const spans = d.spans.map((s, j) => {
      const start = d.text.indexOf(s.quote);
      if (start < 0) throw new Error(`fixture ${d.name}: ${s.quote} not found`);
      return {
        id: `s${i}x${j}`,
        start,
        end: start + s.quote.length,
        label: s.label,
        author: 7,
        note: "note" in s && typeof s.note === "string" ? s.note : null,
        extra: null,
        createdAt: 1_700_000_000_000 + j,
      };
    });
    return {
      document: { id: 100 + i, name: d.name, meta: { source: "fixture" }, text: d.text, sha256: `sha-${i}` },
      layer: "gold",
      spans,
      relations: d.relations.map(([a, b, type], k) => ({
        id: `r${i}x${k}`,
        from: spans[a as number]!.id,
        to: spans[b as number]!.id,
        type: type as string,
        author: 7,
        createdAt: 1_700_000_000_000,
      })),
    };
  });
}

export const context = (offsets: ExportContext["offsets"] = "codepoint"): ExportContext => ({
  offsets,
  project: { id: 1, name: "Fixture project" },
  labels: fixture.labels,
  relationTypes: fixture.relationTypes,
});

/** Python's text[start:end]: slicing by code points. */
export const pySlice = (text: string, start: number, end: number) =>
  Array.from(text).slice(start, end).join("");

/** Resolves an imported document against its original text: spans as {start,end,label,note} in UTF-16. */
export function resolved(doc: ImportDocument, text: string) {
  const r = resolveOffsets(text, doc, doc.unit);
  if (r.issues.length) throw new Error(r.issues.map((i) => i.message).join("; "));
  return r.spans.map(({ span, start16, end16 }) => ({
    start: start16,
    end: end16,
    label: span.label,
    note: span.note ?? null,
    key: span.key,
  }));
}

/** The record's spans in the same shape, for comparison. */
export const expected = (r: ExportRecord, withNotes = true) =>
  r.spans.map((s) => ({ start: s.start, end: s.end, label: s.label, note: withNotes ? s.note : null }));

/** Relations as (from span index, to span index, type) given a key → index mapping. */
export function relationTriples(
  relations: Array<{ from: string; to: string; type: string }>,
  indexOf: (key: string) => number,
): Array<[number, number, string]> {
  return relations.map((x) => [indexOf(x.from), indexOf(x.to), x.type]);
}
