/**
 * How agreement figures read as text: a value to three decimals or "not computable: <reason>", and the
 * counts each figure stands on, named. Every chart prints these, so colour is never the only signal.
 */
import type { Figure } from "@gloss/shared";

/** A coefficient to `digits` decimals ("0.743", "−0.120"); "—" for null. */
export function formatValue(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  // -0.0004 would print as "-0.000": a sign on a zero reads as a finding that is not there
  const fixed = value.toFixed(digits);
  const zero = Number(fixed) === 0;
  if (zero) return (0).toFixed(digits);
  return fixed.startsWith("-") ? `−${fixed.slice(1)}` : fixed;
}

/** The figure's value, or "not computable: reason". */
export function figureText(f: Figure | undefined, digits = 3): string {
  if (!f) return "—";
  if (f.value === null) return `not computable: ${f.reason ?? "no reason given"}`;
  return formatValue(f.value, digits);
}

/** Names of the count fields the server attaches to figures, in the order they read best. */
const COUNT_NAMES: Array<[key: string, name: string, kind: "int" | "real"]> = [
  ["tp", "matches", "int"],
  ["fp", "only in first", "int"],
  ["fn", "only in second", "int"],
  ["precision", "precision", "real"],
  ["recall", "recall", "real"],
  ["labels", "labels", "int"],
  ["pairs", "pairs", "int"],
  ["items", "items", "int"],
  ["ratings", "ratings", "int"],
  ["pairable", "pairable values", "int"],
  ["units", "units", "int"],
  ["continuum", "characters", "int"],
  ["pO", "observed agreement", "real"],
  ["pBar", "mean item agreement", "real"],
  ["pE", "chance agreement", "real"],
  ["dO", "observed disagreement", "real"],
  ["dE", "expected disagreement", "real"],
];

/** The counts a figure stands on, as "name value" strings (fields the server did not send are left out). */
export function figureCounts(f: Figure | undefined): string[] {
  if (!f) return [];
  const rec = f as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, name, kind] of COUNT_NAMES) {
    const v = rec[key];
    if (v === undefined) continue;
    if (v === null) out.push(`${name} —`);
    else if (typeof v === "number") out.push(`${name} ${kind === "int" ? String(v) : formatValue(v)}`);
  }
  return out;
}

/** One sentence for a tooltip or an accessible name: "0.833 (matches 5, …)" or "not computable: …". */
export function figureSentence(f: Figure | undefined): string {
  const counts = figureCounts(f);
  return counts.length ? `${figureText(f)} (${counts.join(", ")})` : figureText(f);
}

/** A share as a percentage ("42%"). */
export const percent = (share: number) => `${Math.round(share * 100)}%`;
