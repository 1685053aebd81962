/**
 * Stable keys for curation. They are stored in gold's `rejected` map, so they must not depend on span ids
 * (which differ per layer) or on who proposed what: only on offsets (UTF-16, as in the layers), label ids
 * and relation types. Clients treat them as opaque strings.
 */

/** The parts of a span that decide whether two spans are "the same": extent and label. */
export interface SpanShape {
  start: number;
  end: number;
  label: number;
}

/** `start:end:label` — two spans with the same signature are the same annotation. */
export const spanSignature = (s: SpanShape): string => `${s.start}:${s.end}:${s.label}`;

/** Rejected-map key of one span version: auto-merge never writes a span with this signature. */
export const spanKey = (s: SpanShape): string => `s:${spanSignature(s)}`;

/** Rejected-map key of a disagreement: its candidate signatures in reading order. */
export const disagreementKey = (signatures: readonly string[]): string => `d:${signatures.join("|")}`;

/** Rejected-map key of a relation between two span signatures. */
export const relationKey = (fromSignature: string, toSignature: string, type: string): string =>
  `r:${fromSignature}>${toSignature}:${type}`;

/** True when two half-open extents share at least one code unit. */
export const extentsOverlap = (
  a: { start: number; end: number },
  b: { start: number; end: number },
): boolean => a.start < b.end && b.start < a.end;

/** Same extent, whatever the label. */
export const sameExtent = (a: SpanShape, b: SpanShape): boolean => a.start === b.start && a.end === b.end;

/**
 * `a` is a competing version of `b`: same extent with another label, or the same label over overlapping
 * text. Nested spans of different labels (an attribution inside a claim) are not versions of each other.
 */
export const isVersionOf = (a: SpanShape, b: SpanShape): boolean =>
  sameExtent(a, b) || (a.label === b.label && extentsOverlap(a, b));
