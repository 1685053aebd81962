/**
 * Bounds on import inputs ("every resource has a limit"). The per-document limit is
 * Config.maxDocumentBytes; these derive from it or bound what a single request may send.
 */

/** A streamed upload (multipart, NDJSON) is spooled to disk, never held in memory; this caps the disk use. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** A JSON body `{ documents: [...] }` is parsed in memory, so it is capped lower; stream bigger imports. */
export const MAX_JSON_BODY_BYTES = 64 * 1024 ** 2;

/**
 * The longest physical line a parser buffers. A JSONL line holds one document whose JSON escapes can
 * take up to 6 bytes per text byte (`\u0000`), plus its name and meta.
 */
export function maxLineBytes(maxDocumentBytes: number): number {
  return maxDocumentBytes * 6 + 1024 ** 2;
}

/** The longest CSV record (quotes double, other columns add up). */
export function maxCsvRecordChars(maxDocumentBytes: number): number {
  return maxDocumentBytes * 2 + 1024 ** 2;
}
