/** Stable presence colours: the same user id always gets the same colour, on every screen (the server stamps it). */

/** HSL (degrees, 0–1, 0–1) to `#rrggbb`: hex so other code may append an alpha (`#rrggbb33`). */
export function hslToHex(h: number, s: number, l: number): string {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x: number) =>
    Math.round(x * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}

/**
 * The colour of a user: hues spread by the golden angle so neighbouring ids differ clearly; dark enough
 * (lightness 38%) that white initials on it stay legible.
 */
export function userColor(userId: number): string {
  const hue = (userId * 137.508) % 360;
  return hslToHex(hue, 0.62, 0.38);
}
