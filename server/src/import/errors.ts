import { HttpError } from "../errors";

/** Where an import went wrong: the file (or "body"), its 1-based line (null: the file as a whole), the field. */
export interface ImportErrorDetails {
  file: string;
  line: number | null;
  field?: string;
  reason: string;
}

/**
 * A bad import input. It is a 400 for the HTTP routes (details name file, line and field) and
 * `file:line: reason` for the CLI; either way nothing from that import is stored.
 */
export class ImportError extends HttpError {
  constructor(readonly where: ImportErrorDetails) {
    super(400, "invalid_import", formatImportError(where), where);
    this.name = "ImportError";
  }
}

/** `file:line: reason` (the shape compilers use, so editors can jump to it). */
export function formatImportError(d: ImportErrorDetails): string {
  const place = d.line === null ? d.file : `${d.file}:${d.line}`;
  const field = d.field ? ` (${d.field})` : "";
  return `${place}${field}: ${d.reason}`;
}

/** Where a parser currently is; passed to the checks so their errors name the place. */
export interface SourcePlace {
  file: string;
  line: number | null;
}

/** Throws an ImportError at `place`. */
export function fail(place: SourcePlace, reason: string, field?: string): never {
  throw new ImportError({ file: place.file, line: place.line, ...(field ? { field } : {}), reason });
}

/**
 * A body, file or zip over one of the configured limits: 413 `payload_too_large`, raised the moment the
 * limit is passed while the bytes stream in (or inflate), whatever the request declared. The message
 * says what was too large and which setting bounds it; nothing of that request is stored.
 */
export class PayloadTooLarge extends HttpError {
  constructor(
    message: string,
    readonly limit: { max: number; setting: string; file?: string },
  ) {
    super(413, "payload_too_large", message, limit);
    this.name = "PayloadTooLarge";
  }
}
