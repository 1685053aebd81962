/**
 * W3C Web Annotation Data Model (www.w3.org/TR/annotation-model/) as JSON-LD: one AnnotationPage whose
 * items are an Annotation per span — target `{source, selector: [TextPositionSelector, TextQuoteSelector]}`,
 * body a `TextualBody` with purpose `classifying` (the label) and, for notes, one with purpose
 * `commenting` — and a `linking` Annotation per relation (target: the source span's annotation, body: the
 * target span's annotation plus a `tagging` body naming the type). The model counts TextPositionSelector
 * positions in code points (§4.2.3, w3c/web-annotation#206), so this format ignores `offsets=utf16`.
 *
 * The target's `source` is the document as an External Web Resource (§3.2.1) `{id, type: "Text", format:
 * "text/plain", name, sha256}`: `name` and `sha256` (hex SHA-256 of the UTF-8 text) let an import into
 * another project (or instance) with the same texts find the document although its id differs; the import
 * matches a source by id, then by sha256, then by name (issue 13 item 17). A plain IRI source (older
 * exports, other tools) is read too.
 */
import { OffsetMap } from "../offsets";
import { isInt, isObject, readJson } from "./json";
import { soundRecord } from "./sound";
import {
  type DocumentRef,
  type ExportRecord,
  type FormatIssue,
  type ImportDocument,
  issue,
  type ParseResult,
  type SourcePosition,
} from "./types";

export const W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld";
/** Context characters kept in TextQuoteSelector prefix/suffix, in code points. */
const CONTEXT_CHARS = 32;

export const w3cDocumentIri = (id: number) => `urn:gloss:document:${id}`;
const annotationIri = (r: ExportRecord, kind: "span" | "relation", id: string) =>
  `${w3cDocumentIri(r.document.id)}:${r.layer}:${kind}:${id}`;

/** The opening of the AnnotationPage; items follow, separated by ",\n", then `W3C_PAGE_END`. */
export function w3cPageStart(projectId: number, layer: string): string {
  return `{"@context":${JSON.stringify(W3C_CONTEXT)},"id":${JSON.stringify(`urn:gloss:project:${projectId}:export:${layer}`)},"type":"AnnotationPage","items":[\n`;
}
export const W3C_PAGE_END = "\n]}\n";

/** The annotations of one record (spans, then relations). */
export function w3cAnnotations(record: ExportRecord): Array<Record<string, unknown>> {
  const r = soundRecord(record);
  const text = r.document.text;
  const map = new OffsetMap(text);
  const source = {
    id: w3cDocumentIri(r.document.id),
    type: "Text",
    format: "text/plain",
    name: r.document.name,
    sha256: r.document.sha256,
  };
  const ids = new Set(r.spans.map((s) => s.id));
  const out: Array<Record<string, unknown>> = r.spans.map((s) => {
    const start = map.toCodePoint(s.start);
    const end = map.toCodePoint(s.end);
    const prefixFrom = map.toUtf16(Math.max(0, start - CONTEXT_CHARS));
    const suffixTo = map.toUtf16(Math.min(map.codePointLength, end + CONTEXT_CHARS));
    const body: Array<Record<string, unknown>> = [
      { type: "TextualBody", value: s.label, purpose: "classifying" },
    ];
    if (s.note) body.push({ type: "TextualBody", value: s.note, purpose: "commenting" });
    return {
      id: annotationIri(r, "span", s.id),
      type: "Annotation",
      motivation: "classifying",
      ...(s.createdAt ? { created: new Date(s.createdAt).toISOString() } : {}),
      ...(s.author !== null ? { creator: `urn:gloss:user:${s.author}` } : {}),
      body,
      target: {
        source,
        selector: [
          { type: "TextPositionSelector", start, end },
          {
            type: "TextQuoteSelector",
            exact: text.slice(s.start, s.end),
            prefix: text.slice(prefixFrom, s.start),
            suffix: text.slice(s.end, suffixTo),
          },
        ],
      },
    };
  });
  for (const x of r.relations) {
    if (!ids.has(x.from) || !ids.has(x.to)) continue;
    out.push({
      id: annotationIri(r, "relation", x.id),
      type: "Annotation",
      motivation: "linking",
      body: [
        { type: "SpecificResource", source: annotationIri(r, "span", x.to), purpose: "linking" },
        { type: "TextualBody", value: x.type, purpose: "tagging" },
      ],
      target: annotationIri(r, "span", x.from),
    });
  }
  return out;
}

/** Parses an AnnotationPage, AnnotationCollection (`first.items`), array or single Annotation. */
export function readW3c(input: string, file?: string): ParseResult {
  const { value, issues } = readJson(input, file);
  const documents: ImportDocument[] = [];
  if (issues.length) return { documents, issues };
  const items = annotationItems(value);
  if (!items) return { documents, issues: [issue("invalid_record", { file }, "no annotations found")] };
  const bySource = new Map<string, ImportDocument>();
  const spanSource = new Map<string, string>();
  const links: Array<{ a: Record<string, unknown>; pos: SourcePosition }> = [];
  for (const [i, a] of items.entries()) {
    const pos: SourcePosition = { file, record: i + 1 };
    if (!isObject(a)) issues.push(issue("invalid_record", pos, "an annotation must be a JSON object"));
    else if (a.motivation === "linking") links.push({ a, pos });
    else readSpanAnnotation(a, pos, bySource, spanSource, issues);
  }
  for (const { a, pos } of links) {
    const from = iriOf(Array.isArray(a.target) ? a.target[0] : a.target);
    const bodies = Array.isArray(a.body) ? a.body : [a.body];
    const to = bodies
      .map((b) =>
        typeof b === "string" ? b : isObject(b) && b.type !== "TextualBody" ? iriOf(b) : undefined,
      )
      .find(Boolean);
    const type = bodies.find((b) => isObject(b) && b.type === "TextualBody" && typeof b.value === "string") as
      | { value: string }
      | undefined;
    const doc = from ? bySource.get(spanSource.get(from) ?? "") : undefined;
    if (!from || !to || !doc) {
      issues.push(
        issue(
          "invalid_relation",
          pos,
          "a linking annotation must target a span annotation and link to another",
        ),
      );
      continue;
    }
    doc.relations.push({ from, to, type: type?.value ?? "", pos });
  }
  documents.push(...bySource.values());
  return { documents, issues };
}

function annotationItems(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (!isObject(v)) return null;
  if (Array.isArray(v.items)) return v.items;
  if (isObject(v.first) && Array.isArray(v.first.items)) return v.first.items;
  return v.type === "Annotation" ? [v] : null;
}

const iriOf = (v: unknown): string | undefined =>
  typeof v === "string" ? v : isObject(v) ? ((v.id ?? v.source) as string | undefined) : undefined;

function readSpanAnnotation(
  a: Record<string, unknown>,
  pos: SourcePosition,
  bySource: Map<string, ImportDocument>,
  spanSource: Map<string, string>,
  issues: FormatIssue[],
) {
  const target = Array.isArray(a.target) ? a.target[0] : a.target;
  const sourceValue = isObject(target) ? target.source : undefined;
  const source = iriOf(sourceValue);
  const selectors = isObject(target)
    ? Array.isArray(target.selector)
      ? target.selector
      : [target.selector]
    : [];
  const position = selectors.find((s) => isObject(s) && s.type === "TextPositionSelector") as
    | Record<string, unknown>
    | undefined;
  const quote = selectors.find((s) => isObject(s) && s.type === "TextQuoteSelector") as
    | Record<string, unknown>
    | undefined;
  if (!source || !position || !isInt(position.start) || !isInt(position.end)) {
    issues.push(
      issue("invalid_record", { ...pos, field: "target" }, "needs a source and a TextPositionSelector"),
    );
    return;
  }
  const bodies = (Array.isArray(a.body) ? a.body : [a.body]).filter(isObject);
  const label =
    bodies.find((b) => b.purpose === "classifying" || b.purpose === "tagging") ??
    bodies.find((b) => !b.purpose);
  if (!label || typeof label.value !== "string") {
    issues.push(
      issue("invalid_record", { ...pos, field: "body" }, "needs a TextualBody with purpose classifying"),
    );
    return;
  }
  const notes = bodies
    .filter((b) => b.purpose === "commenting" && typeof b.value === "string")
    .map((b) => b.value);
  let doc = bySource.get(source);
  if (!doc) {
    doc = {
      ref: sourceRef(source, sourceValue),
      unit: "codepoint",
      spans: [],
      relations: [],
      pos,
    };
    bySource.set(source, doc);
  }
  const key = typeof a.id === "string" ? a.id : undefined;
  if (key) spanSource.set(key, source);
  doc.spans.push({
    key,
    start: position.start,
    end: position.end,
    label: label.value,
    text: quote && typeof quote.exact === "string" ? quote.exact : undefined,
    note: notes.length ? notes.join("\n") : undefined,
    pos,
  });
}

/**
 * How a target's source names its document: a Gloss IRI gives the id, a source object's `name` and
 * `sha256` (a 64-digit hex string) are kept for matching by content; any other IRI is taken as a name.
 */
function sourceRef(iri: string, value: unknown): DocumentRef {
  const ref: DocumentRef = {};
  const m = /^urn:gloss:document:([1-9][0-9]{0,15})$/.exec(iri);
  if (m) ref.id = Number(m[1]);
  if (isObject(value)) {
    if (typeof value.name === "string") ref.name = value.name;
    if (typeof value.sha256 === "string" && /^[0-9a-f]{64}$/i.test(value.sha256))
      ref.sha256 = value.sha256.toLowerCase();
  }
  if (!m && ref.name === undefined) ref.name = iri;
  return ref;
}
