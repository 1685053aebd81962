/**
 * Offset conversion between the two units Gloss speaks:
 * - UTF-16 code units (JavaScript string indices): inside layers and the editor;
 * - Unicode code points (what Python indexes): the REST API, exports and imports.
 * All offsets are end-exclusive.
 */

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when `offset` (UTF-16) falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  return isHigh(text.charCodeAt(offset - 1)) && isLow(text.charCodeAt(offset));
}

/** Number of code points in `text`. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (!(isLow(text.charCodeAt(i)) && i > 0 && isHigh(text.charCodeAt(i - 1)))) n++;
  }
  return n;
}

/**
 * A converter for one text. For texts without astral characters both units coincide and every
 * conversion is O(1); otherwise it keeps the sorted positions of astral characters and uses binary search.
 */
export class OffsetMap {
  /** UTF-16 index of each astral character's high surrogate, ascending. */
  private readonly astral: number[] = [];
  readonly utf16Length: number;
  readonly codePointLength: number;

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
        this.astral.push(i);
        i++;
      }
    }
    this.utf16Length = text.length;
    this.codePointLength = text.length - this.astral.length;
  }

  /** UTF-16 offset → code point offset. Throws on an offset inside a surrogate pair or out of range. */
  toCodePoint(utf16: number): number {
    if (!Number.isInteger(utf16) || utf16 < 0 || utf16 > this.utf16Length) {
      throw new RangeError(`UTF-16 offset ${utf16} is outside 0..${this.utf16Length}`);
    }
    if (this.astral.length === 0) return utf16;
    // count astral chars whose high surrogate index < utf16
    let lo = 0;
    let hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid]! < utf16) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && this.astral[lo - 1]! + 1 === utf16) {
      throw new RangeError(`UTF-16 offset ${utf16} splits a surrogate pair`);
    }
    return utf16 - lo;
  }

  /** Code point offset → UTF-16 offset. Throws when out of range. */
  toUtf16(cp: number): number {
    if (!Number.isInteger(cp) || cp < 0 || cp > this.codePointLength) {
      throw new RangeError(`code point offset ${cp} is outside 0..${this.codePointLength}`);
    }
    if (this.astral.length === 0) return cp;
    // astral[k] - k is the code point index of the k-th astral char; find how many are < cp
    let lo = 0;
    let hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid]! - mid < cp) lo = mid + 1;
      else hi = mid;
    }
    return cp + lo;
  }

  /** True when the text has characters outside the BMP (the two units differ). */
  get hasAstral(): boolean {
    return this.astral.length > 0;
  }
}

/** Convenience: one-off UTF-16 → code point conversion. */
export const utf16ToCodePoint = (text: string, offset: number) => new OffsetMap(text).toCodePoint(offset);
/** Convenience: one-off code point → UTF-16 conversion. */
export const codePointToUtf16 = (text: string, offset: number) => new OffsetMap(text).toUtf16(offset);

export type OffsetUnit = "codepoint" | "utf16";
