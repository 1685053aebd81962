/**
 * Offset units at the format boundary: writers convert layer offsets (UTF-16) to the unit asked for, and
 * the import side decides, per document, which unit a file's offsets are in by checking them against the
 * covered text it states — never shifting them silently.
 */
import { OffsetMap, type OffsetUnit, splitsSurrogatePair } from "../offsets";
import { type FormatIssue, type ImportDocument, type ImportSpan, issue } from "./types";

/** Returns a converter from UTF-16 offsets of `text` to `unit` (identity for UTF-16 or BMP-only text). */
export function offsetWriter(text: string, unit: OffsetUnit): (utf16: number) => number {
  if (unit === "utf16") return (n) => n;
  const map = new OffsetMap(text);
  return map.hasAstral ? (n) => map.toCodePoint(n) : (n) => n;
}

/** Human name of a unit, for messages. */
export const unitName = (u: OffsetUnit) => (u === "codepoint" ? "Unicode code points" : "UTF-16 code units");

/** A short quoted excerpt for error messages. */
export function quote(s: string, max = 40): string {
  const cps = Array.from(s);
  return JSON.stringify(cps.length > max ? `${cps.slice(0, max).join("")}…` : s);
}

export interface ResolvedSpan {
  /** The span as the file gave it. */
  span: ImportSpan;
  /** Its offsets in UTF-16 code units of the document text. */
  start16: number;
  end16: number;
}

export interface ResolvedDocument {
  unit: OffsetUnit;
  spans: ResolvedSpan[];
  issues: FormatIssue[];
}

type Conversion = { ok: true; start: number; end: number; cut: string } | { ok: false; why: string };

function convertRange(map: OffsetMap, text: string, a: number, b: number, unit: OffsetUnit) {
  const len = unit === "codepoint" ? map.codePointLength : map.utf16Length;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > len) {
    return { ok: false as const, why: `offsets ${a}–${b} are outside the text (0–${len} ${unitName(unit)})` };
  }
  if (a >= b) return { ok: false as const, why: `start ${a} must be before end ${b}` };
  if (unit === "codepoint") return { ok: true as const, start: map.toUtf16(a), end: map.toUtf16(b) };
  if (splitsSurrogatePair(text, a) || splitsSurrogatePair(text, b)) {
    return { ok: false as const, why: `offsets ${a}–${b} split a surrogate pair` };
  }
  return { ok: true as const, start: a, end: b };
}

/** Converts a span (or each fragment of a discontinuous one) to UTF-16 and cuts its covered text. */
function convert(map: OffsetMap, text: string, s: ImportSpan, unit: OffsetUnit): Conversion {
  if (!s.fragments) {
    // the common case, without the fragments' arrays (200,000 spans of one import)
    const c = convertRange(map, text, s.start, s.end, unit);
    return c.ok ? { ok: true, start: c.start, end: c.end, cut: text.slice(c.start, c.end) } : c;
  }
  const frags = s.fragments;
  const parts: Array<{ start: number; end: number }> = [];
  for (const [a, b] of frags) {
    const c = convertRange(map, text, a, b, unit);
    if (!c.ok) return c;
    const prev = parts[parts.length - 1];
    // a Gloss span is contiguous: fragments may only be separated by line breaks and spaces
    if (prev && (c.start < prev.end || /\S/.test(text.slice(prev.end, c.start)))) {
      return {
        ok: false,
        why: `fragments ${s.fragments!.map((f) => f.join(" ")).join(";")} leave text between them`,
      };
    }
    parts.push(c);
  }
  const cut = parts.map((p) => text.slice(p.start, p.end)).join(" ");
  return { ok: true, start: parts[0]!.start, end: parts[parts.length - 1]!.end, cut };
}

const fits = (s: ImportSpan, c: Conversion) => c.ok && (s.text === undefined || c.cut === s.text);

/**
 * Decides the offset unit of one imported document and converts its spans to UTF-16.
 * - Spans that state their covered text must all cut exactly that text under the chosen unit.
 * - A declared unit (by the request or the file) must fit; when only the other unit fits, that is a
 *   `unit_mismatch` error, never a silent shift.
 * - Undeclared: the unit under which every span fits; code points when both fit (or nothing says).
 */
export function resolveOffsets(
  text: string,
  doc: ImportDocument,
  declared?: OffsetUnit,
  map: OffsetMap = new OffsetMap(text),
): ResolvedDocument {
  // each unit's conversions, made when first asked for (without astral characters both units are one)
  const conv = new Map<OffsetUnit, Conversion[]>();
  const convOf = (u: OffsetUnit) => {
    let c = conv.get(u);
    if (!c) {
      c = doc.spans.map((s) => convert(map, text, s, u));
      conv.set(u, c);
    }
    return c;
  };
  const allFit = (u: OffsetUnit) => {
    const c = convOf(u);
    return doc.spans.every((s, i) => fits(s, c[i]!));
  };
  const stated = doc.spans.some((s) => s.text !== undefined);
  let unit: OffsetUnit = declared ?? "codepoint";
  const issues: FormatIssue[] = [];
  if (map.hasAstral && !allFit(unit)) {
    const other: OffsetUnit = unit === "codepoint" ? "utf16" : "codepoint";
    if (declared && stated && allFit(other)) {
      const first = doc.spans.find((s) => s.text !== undefined)!;
      issues.push(
        issue(
          "unit_mismatch",
          first.pos,
          `the offsets match the covered text only as ${unitName(other)}, but the file is declared as ${unitName(declared)}`,
        ),
      );
      return { unit, spans: [], issues };
    }
    if (!declared && allFit(other)) unit = other;
  }
  const chosen = convOf(unit);
  const spans: ResolvedSpan[] = [];
  doc.spans.forEach((s, i) => {
    const c = chosen[i]!;
    if (!c.ok) {
      issues.push(issue("invalid_span", s.pos, c.why));
      return;
    }
    const cut = c.cut;
    if (s.text !== undefined && cut !== s.text) {
      const tail = map.hasAstral && !declared ? " (nor as the other offset unit)" : "";
      issues.push(
        issue(
          "offset_mismatch",
          s.pos,
          `offsets ${offsetsOf(s)} (${unitName(unit)}) cut ${quote(cut)}, not the covered text ${quote(s.text)}${tail}`,
        ),
      );
      return;
    }
    // not a copy of the span: 200,000 spreads of a parsed object cost ≈190 MB of garbage in one import
    spans.push({ span: s, start16: c.start, end16: c.end });
  });
  return { unit, spans, issues };
}

const offsetsOf = (s: ImportSpan) =>
  s.fragments ? s.fragments.map((f) => f.join("–")).join(";") : `${s.start}–${s.end}`;
