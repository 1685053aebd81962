/**
 * Every format writer first passes its record through `soundRecord`: spans that fail the stored-span
 * check (storedSpans.ts) and relations whose ends are not among the sound spans are left out — and counted
 * when the caller passes a counter — so no writer loop is bounded by an unchecked offset.
 */
import { countSkip, type SkippedRows, storedRelationProblem, storedSpanProblem } from "../storedSpans";
import type { ExportRecord } from "./types";

/** The record itself when every span and relation is sound, else a copy without the bad ones. */
export function soundRecord(r: ExportRecord, skipped?: SkippedRows): ExportRecord {
  const text = r.document.text;
  let bad = false;
  for (const s of r.spans) {
    if (storedSpanProblem(s.start, s.end, s.label, text, null) !== null) {
      bad = true;
      break;
    }
  }
  if (!bad && r.relations.length === 0) return r;
  const spans = bad
    ? r.spans.filter((s) => {
        const why = storedSpanProblem(s.start, s.end, s.label, text, null);
        if (why !== null && skipped) countSkip(skipped, why);
        return why === null;
      })
    : r.spans;
  const ids = new Set(spans.map((s) => s.id));
  const relations = r.relations.filter((x) => {
    const why = storedRelationProblem(x.from, x.to, ids);
    if (why !== null && skipped) countSkip(skipped, why);
    return why === null;
  });
  if (!bad && relations.length === r.relations.length) return r;
  return { ...r, spans, relations };
}
