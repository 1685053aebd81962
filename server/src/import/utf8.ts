import { fail, type SourcePlace } from "./errors";

const BOM = [0xef, 0xbb, 0xbf] as const;

// ignoreBOM: true keeps a U+FEFF that is not at the very start of a file: "nothing else is changed".
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** True when `bytes` starts with the UTF-8 byte order mark. */
export function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/**
 * Decodes one line (or any complete run of bytes) as strict UTF-8; invalid bytes are a 400 naming the
 * line and the byte's position in it. A BOM is stripped only when `stripBom` (the first line of a file).
 */
export function decodeUtf8(bytes: Uint8Array, place: SourcePlace, stripBom: boolean): string {
  const body = stripBom && startsWithBom(bytes) ? bytes.subarray(3) : bytes;
  try {
    return decoder.decode(body);
  } catch {
    const at = firstInvalidUtf8(body);
    const byte = body[at]?.toString(16).padStart(2, "0") ?? "end";
    fail(place, `invalid UTF-8 (byte 0x${byte} at byte ${at + 1} of the line); Gloss imports UTF-8 only`);
  }
}

/** Index of the first byte that starts an ill-formed UTF-8 sequence (Unicode Table 3-7), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const n = b[i + k];
      if (n === undefined) return i;
      // report the byte that starts the broken sequence (e.g. a Latin-1 "é", 0xe9, before a space)
      if (k === 1 ? n < lo || n > hi : n < 0x80 || n > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}
