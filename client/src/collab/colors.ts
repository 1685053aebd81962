/** Stable presence colours: the same user id always gets the same colour, on every screen. */

export { hslToHex, userColor } from "@gloss/shared";

/** Up to two initials of a display name ("Ada Lovelace" → "AL", "grace" → "GR"). */
export function initials(name: string): string {
  const words = name
    .trim()
    .split(/[\s._-]+/)
    .filter(Boolean);
  if (words.length === 0) return "?";
  if (words.length === 1) return Array.from(words[0]!).slice(0, 2).join("").toUpperCase();
  return (Array.from(words[0]!)[0]! + Array.from(words[1]!)[0]!).toUpperCase();
}
