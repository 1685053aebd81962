import { z } from "zod";
import { badRequest, HttpError, invalidInput } from "../../errors";
import type { ImportBatch } from "../../import/batch";
import { fail } from "../../import/errors";
import type { ImportFormat } from "../../import/formats";
import type { Limit } from "../../import/limits";
import { limitedBody, readBody, readMultipart } from "../../import/upload";
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

/** The limits a document import is read within (Config). */
export interface ImportBodyLimits {
  json: Limit;
  upload: Limit;
}

/**
 * Reads an import request into the batch, validating as it streams: a JSON body
 * `{ documents: [...] }`, a multipart upload of one or more `files`, or one streamed file (NDJSON, CSV or
 * plain text; `name` is its file name for errors and document names). The upload reader bounds the body
 * while it streams (413 `payload_too_large` naming the limit and the file).
 */
export async function readImportRequest(
  req: Request,
  name: string | undefined,
  batch: ImportBatch,
  limits: ImportBodyLimits,
) {
  const contentType = req.headers.get("content-type") ?? "";
  const mime = contentType.split(";")[0]!.trim().toLowerCase();
  if (!req.body) throw badRequest("The request has no body");
  if (mime === "application/json") {
    const bytes = await readBody(req, limits.json, "The JSON body");
    const place = { file: "body", line: null };
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(bytes, place, true));
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      fail(place, `not valid JSON: ${err.message}`);
    }
    const shape = JsonBodyShape.safeParse(value);
    if (!shape.success) throw invalidInput(shape.error);
    batch.addRecords(shape.data.documents);
    return;
  }
  if (mime === "multipart/form-data") {
    let files = 0;
    await readMultipart(
      req,
      limits.upload,
      async (part, bytes) => {
        if (!FILE_FIELDS.has(part.field)) return;
        if (part.filename === null) return; // a file input left empty
        files++;
        const parser = batch.openFile(part.filename);
        for await (const chunk of bytes) parser.push(chunk);
        parser.end();
      },
      (field) => {
        if (FILE_FIELDS.has(field)) throw badRequest(`The form field "${field}" must be a file`);
      },
    );
    if (files === 0) throw badRequest("No files in the upload: send one or more `files` parts");
    return;
  }
  const streamed = STREAMED[mime];
  if (streamed) {
    const file = name ?? streamed.file;
    await batch.addStream(
      file,
      streamed.format,
      limitedBody(req, limits.upload, () => ({ what: `The upload "${file}"`, file })),
    );
    return;
  }
  throw new HttpError(
    415,
    "unsupported_media_type",
    "Send application/json { documents }, multipart/form-data with `files`, or an application/x-ndjson, text/csv or text/plain body",
  );
}
