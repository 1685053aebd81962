/** A label shown as its initial on its colour plus its name: colour is never the only signal. */
import type { LabelDto } from "@gloss/shared";

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textColorOn(hex: string): "#000000" | "#ffffff" {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return "#000000";
  const lin = (c: string) => {
    const v = Number.parseInt(c, 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
  // contrast with white (1.05 / (l + 0.05)) vs with black ((l + 0.05) / 0.05)
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#000000";
}

/** The first character of a label name, upper-cased (a code point, never half an emoji). */
export const labelInitial = (name: string) => (Array.from(name)[0] ?? "?").toUpperCase();

/** The label's initial in a coloured square, then its name (unless `compact`). */
export function LabelBadge({
  label,
  compact,
}: {
  label: Pick<LabelDto, "name" | "color">;
  compact?: boolean;
}) {
  return (
    <span className="label-badge">
      <span
        className="label-swatch"
        aria-hidden="true"
        style={{ background: label.color, color: textColorOn(label.color) }}
      >
        {labelInitial(label.name)}
      </span>
      {compact ? null : <span className="label-name">{label.name}</span>}
    </span>
  );
}
