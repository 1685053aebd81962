/**
 * How a label looks: its colour, its initial and a line pattern chosen by its position in the project's
 * label list, so that colour is never the only signal.
 */
import type { LabelDto } from "@gloss/shared";

export const PATTERNS = ["solid", "dashed", "dotted", "double"] as const;
/** Lanes drawn distinctly; deeper overlaps share the last one (the hover card still lists every span). */
export const MAX_LANE = 4;

export interface LabelLook {
  id: number;
  name: string;
  color: string;
  initial: string;
  /** Index into PATTERNS. */
  pattern: number;
  hotkey: string | null;
  description: string;
}

const HEX = /^#[0-9a-fA-F]{6}$/;
const FALLBACK_COLOR = "#6b7280";

/** The first grapheme of a name, upper-cased ("?" for an empty name). */
export function initialOf(name: string): string {
  const first = [...name.trim()][0];
  return first ? first.toLocaleUpperCase() : "?";
}

/** Initials of a person's name: first letters of the first two words. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  return words
    .slice(0, 2)
    .map((w) => initialOf(w))
    .join("");
}

/** A colour safe to put in a style attribute (anything else becomes grey). */
export function safeColor(color: unknown): string {
  return typeof color === "string" && HEX.test(color) ? color : FALLBACK_COLOR;
}

/** Looks of the project's labels, by id, in the project's order. */
export function labelLooks(labels: readonly LabelDto[]): Map<number, LabelLook> {
  const out = new Map<number, LabelLook>();
  labels.forEach((l, i) => {
    out.set(l.id, {
      id: l.id,
      name: l.name,
      color: safeColor(l.color),
      initial: initialOf(l.name),
      pattern: i % PATTERNS.length,
      hotkey: l.hotkey,
      description: l.description,
    });
  });
  return out;
}

/** The look of a label id that is not (or no longer) among the project's labels. */
export function unknownLabelLook(id: number): LabelLook {
  return {
    id,
    name: `label ${id}`,
    color: FALLBACK_COLOR,
    initial: "?",
    pattern: 0,
    hotkey: null,
    description: "",
  };
}
