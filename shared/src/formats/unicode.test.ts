/**
 * For every export, the offsets cut exactly the covered text: code points checked with Array.from (as
 * Python slices), UTF-16 with String.prototype.slice — over emoji, ZWJ sequences, NFD combining marks,
 * CRLF, tabs, right-to-left text and CJK (test/fixtures/formats/unicode.json).
 */
import { describe, expect, it } from "vitest";
import type { OffsetUnit } from "../offsets";
import { bratAnn } from "./brat";
import { csvHeader, csvRows, readCsv } from "./csv";
import { doccanoLine, doccanoRelationLine } from "./doccano";
import { context, fixtureRecords, pySlice } from "./fixtures.testutil";
import { glossLine } from "./gloss";
import { spacyLine } from "./spacy";
import { emptyDrops } from "./tagging";
import { createTextWriter } from "./writers";

const records = fixtureRecords();
/** A Label Studio result region as the test reads it. */
type Region = {
  type: string;
  from_name: string;
  to_name: string;
  value: { start: number; end: number; text: string };
};
const cut = (unit: OffsetUnit) => (text: string, a: number, b: number) =>
  unit === "codepoint" ? pySlice(text, a, b) : text.slice(a, b);
const covered = records.map((r) => r.spans.map((s) => r.document.text.slice(s.start, s.end)));

describe.each(["codepoint", "utf16"] as const)("offsets in %s cut exactly the covered text", (unit) => {
  const slice = cut(unit);
  const ctx = context(unit);

  it("gloss JSONL", () => {
    records.forEach((r, i) => {
      const line = JSON.parse(glossLine(r, ctx));
      expect(line.text).toBe(r.document.text);
      line.spans.forEach((s: { start: number; end: number; text: string }, j: number) => {
        expect(slice(line.text, s.start, s.end)).toBe(s.text);
        expect(s.text).toBe(covered[i]![j]);
      });
    });
  });

  it("doccano and doccano relation JSONL", () => {
    records.forEach((r, i) => {
      const a = JSON.parse(doccanoLine(r, ctx));
      a.label.forEach(([s, e]: [number, number], j: number) => {
        expect(slice(a.text, s, e)).toBe(covered[i]![j]);
      });
      const b = JSON.parse(doccanoRelationLine(r, ctx));
      b.entities.forEach((x: { start_offset: number; end_offset: number }, j: number) => {
        expect(slice(b.text, x.start_offset, x.end_offset)).toBe(covered[i]![j]);
      });
    });
  });

  it("Label Studio tasks", () => {
    const w = createTextWriter("labelstudio", { ...ctx, policy: "keep-longest", layer: "gold" });
    const tasks = JSON.parse(w.begin() + records.map((r) => w.write(r)).join("") + w.end());
    expect(tasks).toHaveLength(records.length);
    tasks.forEach(
      (t: { data: { text: string }; annotations: Array<{ result: Array<Region> }> }, i: number) => {
        const regions = t.annotations[0]!.result.filter((x) => x.type === "labels");
        regions.forEach((x, j) => {
          expect(slice(t.data.text, x.value.start, x.value.end)).toBe(x.value.text);
          expect(x.value.text).toBe(covered[i]![j]);
          expect(x).toMatchObject({ from_name: "label", to_name: "text" });
        });
      },
    );
  });

  it("brat standoff (fragment by fragment)", () => {
    for (const r of records) {
      for (const line of bratAnn(r, ctx)
        .split("\n")
        .filter((l) => l.startsWith("T"))) {
        const [, typeAndOffsets, text] = line.split("\t");
        const frags = typeAndOffsets!
          .split(" ")
          .slice(1)
          .join(" ")
          .split(";")
          .map((f) => f.split(" ").map(Number));
        expect(frags.map(([a, b]) => slice(r.document.text, a!, b!)).join(" ")).toBe(text);
        for (const [a, b] of frags) expect(slice(r.document.text, a!, b!)).not.toMatch(/[\r\n]/);
      }
    }
  });

  it("spaCy / Prodigy spans and tokens", () => {
    for (const r of records) {
      const task = JSON.parse(spacyLine(r, ctx, emptyDrops()));
      for (const s of task.spans) expect(slice(task.text, s.start, s.end)).toBe(s.text);
      for (const t of task.tokens) expect(slice(task.text, t.start, t.end)).toBe(t.text);
    }
  });

  it("CSV", () => {
    const rows = readCsv(csvHeader() + records.map((r) => csvRows(r, ctx)).join("")).slice(1);
    expect(rows).toHaveLength(covered.flat().length);
    for (const row of rows) {
      const r = records.find((x) => x.document.id === Number(row[0]))!;
      expect(slice(r.document.text, Number(row[4]), Number(row[5]))).toBe(row[7]);
    }
  });
});

describe("W3C Web Annotation (always code points, as the model requires)", () => {
  it.each(["codepoint", "utf16"] as const)(
    "with offsets=%s the TextPositionSelector is in code points",
    (unit) => {
      const w = createTextWriter("w3c", { ...context(unit), policy: "keep-longest", layer: "gold" });
      const page = JSON.parse(w.begin() + records.map((r) => w.write(r)).join("") + w.end());
      expect(page).toMatchObject({ "@context": "http://www.w3.org/ns/anno.jsonld", type: "AnnotationPage" });
      const spans = page.items.filter((a: { motivation: string }) => a.motivation === "classifying");
      expect(spans).toHaveLength(covered.flat().length);
      for (const a of spans) {
        const r = records.find((x) => a.target.source.id === `urn:gloss:document:${x.document.id}`)!;
        const [pos, quote] = a.target.selector;
        const text = r.document.text;
        expect(pos.type).toBe("TextPositionSelector");
        expect(pySlice(text, pos.start, pos.end)).toBe(quote.exact);
        expect(pySlice(text, pos.start - Array.from(quote.prefix).length, pos.start)).toBe(quote.prefix);
        expect(pySlice(text, pos.end, pos.end + Array.from(quote.suffix).length)).toBe(quote.suffix);
        expect(a.body[0]).toMatchObject({ type: "TextualBody", purpose: "classifying" });
      }
      const links = page.items.filter((a: { motivation: string }) => a.motivation === "linking");
      expect(links).toHaveLength(records.reduce((n, r) => n + r.relations.length, 0));
    },
  );
});
