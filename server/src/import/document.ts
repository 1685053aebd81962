import { createHash } from "node:crypto";
import { DocumentInput } from "@gloss/shared";
import { fail, type SourcePlace } from "./errors";

/** One validated document on its way into the database. */
export interface ParsedDocument {
  name: string;
  /** Exactly as it will be stored. */
  text: string;
  /** The meta object, serialised. */
  meta: string;
  /** sha256 (hex) of the text's UTF-8 bytes. */
  sha256: string;
  /** Where it came from, "file:line", for the skipped-duplicates report. */
  source: string;
}

/** Receives each document a parser has validated. */
export type DocumentSink = (doc: ParsedDocument) => void;

const LONE_SURROGATE = /\p{Surrogate}/u;
const HAS_NON_SPACE = /\S/u;

/** sha256 (hex) of a string's UTF-8 bytes: what the documents table keeps. */
export function textSha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Checks a document's text and builds the row-to-be. Refuses an empty (or whitespace-only) text, a text
 * over `maxBytes` UTF-8 bytes, and lone surrogates (possible through JSON `\ud800` escapes), which
 * SQLite could not store exactly. Never alters the text.
 */
export function makeDocument(
  input: { text: string; name: string; meta?: Record<string, unknown> },
  place: SourcePlace,
  maxBytes: number,
  fieldPrefix = "",
): ParsedDocument {
  const { text } = input;
  const textField = `${fieldPrefix}text`;
  if (text.length === 0) fail(place, "the text is empty", textField);
  if (!HAS_NON_SPACE.test(text)) fail(place, "the text is only whitespace", textField);
  if (LONE_SURROGATE.test(text))
    fail(place, "the text contains a lone surrogate (not valid Unicode)", textField);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    fail(place, `the text is ${bytes} bytes, over the limit of ${maxBytes} bytes`, textField);
  }
  if (LONE_SURROGATE.test(input.name)) {
    fail(place, "the name contains a lone surrogate (not valid Unicode)", `${fieldPrefix}name`);
  }
  return {
    name: input.name,
    text,
    meta: JSON.stringify(input.meta ?? {}),
    sha256: textSha256(text),
    source:
      place.line !== null
        ? `${place.file}:${place.line}`
        : fieldPrefix
          ? `${place.file} ${fieldPrefix.replace(/\.$/, "")}`
          : place.file,
  };
}

// Unknown top-level fields are kept under meta (as CSV's extra columns are) rather than dropped.
const LooseDocumentInput = DocumentInput.loose();

/**
 * Validates one `{ text, name?, meta? }` record (a JSON body item or a JSONL line) against the shared
 * contract; other top-level fields go into meta (an explicit `meta` key wins on a clash).
 */
export function documentFromRecord(
  value: unknown,
  place: SourcePlace,
  maxBytes: number,
  defaultName: string,
  fieldPrefix = "",
): ParsedDocument {
  const parsed = LooseDocumentInput.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join(".");
    const field = path ? `${fieldPrefix}${path}` : fieldPrefix.replace(/\.$/, "") || undefined;
    const reason =
      issue.path.length === 0 ? "expected an object { text, name?, meta? }" : `${path}: ${issue.message}`;
    fail(place, reason, field);
  }
  const { text, name, meta, ...extra } = parsed.data;
  const merged = Object.keys(extra).length > 0 ? { ...extra, ...meta } : meta;
  const given = name?.trim() ? name : undefined;
  return makeDocument({ text, name: given ?? defaultName, meta: merged }, place, maxBytes, fieldPrefix);
}
