/** The sidebar's model: counts per label, the label filter, snippets. Pure, so it is unit-tested. */
import type { Span } from "@gloss/shared";

/** Number of spans per label id. */
export function countByLabel(spans: readonly Span[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of spans) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  return counts;
}

/** The spans a filter lets through (null = every label), keeping their order. */
export function filterSpans(spans: readonly Span[], filter: ReadonlySet<number> | null): Span[] {
  return filter ? spans.filter((s) => filter.has(s.label)) : [...spans];
}

/** Toggles one label in a filter over `all` label ids; every label shown again → null (no filter). */
export function toggleLabel(
  filter: ReadonlySet<number> | null,
  labelId: number,
  all: readonly number[],
): ReadonlySet<number> | null {
  const next = new Set(filter ?? all);
  if (next.has(labelId)) next.delete(labelId);
  else next.add(labelId);
  return all.every((id) => next.has(id)) ? null : next;
}

/**
 * The covered text for a list item: whitespace runs (line breaks included) shown as one space, cut in
 * the middle after `max` code points — by code point, so an emoji is never cut in half.
 */
export function snippet(text: string, start: number, end: number, max = 80): string {
  const chars = Array.from(text.slice(start, end).replace(/\s+/g, " ").trim());
  if (chars.length <= max) return chars.join("");
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join("")}…${chars.slice(chars.length - tail).join("")}`;
}
