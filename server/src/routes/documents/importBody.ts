import { z } from "zod";
import { badRequest, HttpError } from "../../errors";
import type { ImportBatch } from "../../import/batch";
import { fail } from "../../import/errors";
import type { ImportFormat } from "../../import/formats";
import { MAX_JSON_BODY_BYTES, MAX_UPLOAD_BYTES } from "../../import/limits";
import { boundaryOf, parseMultipart } from "../../import/multipart";
import { decodeUtf8 } from "../../import/utf8";

/** Form fields that carry files (`files` as the API documents it; the others are common spellings). */
const FILE_FIELDS = new Set(["files", "files[]", "file"]);

/** Streamed single-file bodies: Content-Type → format and the default file name. */
const STREAMED: Record<string, { format: ImportFormat; file: string }> = {
  "application/x-ndjson": { format: "jsonl", file: "body.jsonl" },
  "application/ndjson": { format: "jsonl", file: "body.jsonl" },
  "application/jsonl": { format: "jsonl", file: "body.jsonl" },
  "application/x-jsonlines": { format: "jsonl", file: "body.jsonl" },
  "text/csv": { format: "csv", file: "body.csv" },
  "text/plain": { format: "txt", file: "document.txt" },
};

const JsonBodyShape = z.object({ documents: z.array(z.unknown()).min(1) });

/**
 * Reads an import request into the batch, validating as it streams: a JSON body
 * `{ documents: [...] }`, a multipart upload of one or more `files`, or one streamed file (NDJSON, CSV or
 * plain text; `name` is its file name for errors and document names).
 */
export async function readImportRequest(req: Request, name: string | undefined, batch: ImportBatch) {
  const contentType = req.headers.get("content-type") ?? "";
  const mime = contentType.split(";")[0]!.trim().toLowerCase();
  if (!req.body) throw badRequest("The request has no body");
  if (mime === "application/json") {
    const length = Number(req.headers.get("content-length") ?? 0);
    if (length > MAX_JSON_BODY_BYTES) throw tooLarge(MAX_JSON_BODY_BYTES, "JSON");
    const bytes = await readAll(bodyChunks(req.body, MAX_JSON_BODY_BYTES, "JSON"));
    const place = { file: "body", line: null };
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(bytes, place, true));
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      fail(place, `not valid JSON: ${err.message}`);
    }
    batch.addRecords(JsonBodyShape.parse(value).documents);
    return;
  }
  if (mime === "multipart/form-data") {
    const boundary = boundaryOf(contentType);
    if (!boundary) throw badRequest("multipart/form-data without a valid boundary");
    let files = 0;
    await parseMultipart(bodyChunks(req.body, MAX_UPLOAD_BYTES, "upload"), boundary, (part) => {
      if (!FILE_FIELDS.has(part.name)) return null;
      if (part.filename === null) throw badRequest(`The form field "${part.name}" must be a file`);
      if (part.filename === "") return null; // a file input left empty
      files++;
      return batch.openFile(part.filename);
    });
    if (files === 0) throw badRequest("No files in the upload: send one or more `files` parts");
    return;
  }
  const streamed = STREAMED[mime];
  if (streamed) {
    await batch.addStream(
      name ?? streamed.file,
      streamed.format,
      bodyChunks(req.body, MAX_UPLOAD_BYTES, "upload"),
    );
    return;
  }
  throw new HttpError(
    415,
    "unsupported_media_type",
    "Send application/json { documents }, multipart/form-data with `files`, or an application/x-ndjson, text/csv or text/plain body",
  );
}

const tooLarge = (max: number, what: string) =>
  new HttpError(413, "too_large", `The ${what} body is over ${max} bytes`);

/**
 * The request body's chunks, stopping at `max` bytes. On an early exit the stream is only released,
 * not cancelled: the node adapter drains what is left so the 400 still reaches the client.
 */
async function* bodyChunks(body: ReadableStream<Uint8Array>, max: number, what: string) {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > max) throw tooLarge(max, what);
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}
