/**
 * Bounds on request bodies and import inputs ("every resource has a limit"). The numbers live in the
 * Config (server/src/env.ts, one GLOSS_* variable each); these are their defaults and their names, so a
 * 413 can say which setting to raise.
 */
import type { Config } from "../env";

const MiB = 1024 ** 2;

/** Defaults of the Config's body and upload limits. */
export const DEFAULT_LIMITS = {
  /** Any ordinary (JSON) request body; the import routes have their own limits below. */
  maxBodyBytes: 1 * MiB,
  /** A streamed document upload (multipart, NDJSON, CSV, text) is spooled to disk, never held in memory; this caps the disk use. */
  maxUploadBytes: 2 * 1024 ** 3,
  /** A document import as a JSON body `{ documents: [...] }` is parsed in memory, so it is capped lower; stream bigger imports. */
  maxJsonImportBytes: 64 * MiB,
  /** Bytes inflated from one zip upload, counted while inflating (the entries are held in memory). */
  maxUnzippedBytes: 256 * MiB,
  /** Entries (files and folders) in one zip upload. */
  maxZipEntries: 100_000,
} as const;

/**
 * Default largest annotation file (bytes; it is held in memory): annotation files carry many documents,
 * so ten times the largest document, and at least 64 MiB.
 */
export const defaultAnnotationImportBytes = (maxDocumentBytes: number) =>
  Math.max(64 * MiB, 10 * maxDocumentBytes);

/** The Config field of each limit and the environment variable that sets it. */
export const LIMIT_SETTINGS = {
  maxBodyBytes: "GLOSS_MAX_BODY_BYTES",
  maxUploadBytes: "GLOSS_MAX_UPLOAD_BYTES",
  maxJsonImportBytes: "GLOSS_MAX_JSON_IMPORT_BYTES",
  maxAnnotationImportBytes: "GLOSS_MAX_ANNOTATION_IMPORT_BYTES",
  maxUnzippedBytes: "GLOSS_MAX_UNZIPPED_BYTES",
  maxZipEntries: "GLOSS_MAX_ZIP_ENTRIES",
} as const;

export type LimitName = keyof typeof LIMIT_SETTINGS;

/** A limit as the readers take it: the number and the setting that changes it (named in the 413). */
export interface Limit {
  max: number;
  setting: string;
}

/** The configured limit `name`. */
export const limitOf = (config: Config, name: LimitName): Limit => ({
  max: config[name],
  setting: LIMIT_SETTINGS[name],
});

/** 1048576 → "1 MiB", 1500 → "1500 bytes" (exact: a limit is never rounded in a message). */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", MiB],
    ["KiB", 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

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
