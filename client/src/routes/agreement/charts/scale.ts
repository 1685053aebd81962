/**
 * Scales for the agreement charts: a calm sequential colour ramp for coefficients (pale sand at 0, deep
 * blue at 1, a muted red below 0, where agreement is worse than chance) and linear axes. Colour always
 * comes with the printed value; the ramp only helps the eye find the weak pairs.
 */
import { textColorOn } from "../../../components/LabelBadge";

type Rgb = [number, number, number];

/** Ramp stops at t = 0, 0.5, 1 (hand-picked: even steps in lightness, readable text on each). */
const STOPS: Rgb[] = [
  [0xf7, 0xee, 0xdf],
  [0x9c, 0xc0, 0xe0],
  [0x17, 0x4a, 0x8c],
];
/** Below zero: worse than chance. */
export const NEGATIVE_COLOR = "#e9b7b3";
/** A figure without a value. */
export const NULL_COLOR = "#eeeeec";

const hex = (c: Rgb) => `#${c.map((x) => Math.round(x).toString(16).padStart(2, "0")).join("")}`;

/** The colour of a coefficient (null → grey; < 0 → red; 0..1 along the ramp). */
export function valueColor(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NULL_COLOR;
  if (value < 0) return NEGATIVE_COLOR;
  const t = Math.min(1, value);
  const i = t < 0.5 ? 0 : 1;
  const u = (t - i * 0.5) / 0.5;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  return hex([a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u]);
}

/** Text colour on a cell of `value`. */
export const valueTextColor = (value: number | null) => textColorOn(valueColor(value));

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r0 + ((x - d0) / span) * (r1 - r0);
}

/** The value domain of a bar chart: [min(0, lowest value, floored to 0.25), 1]. */
export function barDomain(values: readonly (number | null)[]): [number, number] {
  let lo = 0;
  for (const v of values) if (v !== null && Number.isFinite(v) && v < lo) lo = v;
  return [Math.max(-1, Math.floor(lo * 4) / 4), 1];
}

/** Shortens `s` to at most `max` code points with an ellipsis (SVG text does not wrap). */
export function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}
