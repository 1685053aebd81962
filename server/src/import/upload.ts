/**
 * The one reader of upload bodies (document import, annotation import). Every byte is counted as it
 * arrives from the socket and the read stops with a 413 the moment the limit is passed, whatever
 * Content-Length said or whether the body is chunked; multipart bodies are parsed by busboy, streaming,
 * so a file of any size passes through without being buffered unless the caller collects it.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { badRequest, HttpError } from "../errors";
import { PayloadTooLarge } from "./errors";
import { formatBytes, type Limit } from "./limits";

/** One file part of a multipart upload. */
export interface UploadedFile {
  /** The form field name. */
  field: string;
  /** The file name as sent (null: none; an empty file input). */
  filename: string | null;
}

/** The 413 for `what` ("The upload", `The file "a.txt"`) over `limit`. */
export function tooLarge(what: string, limit: Limit, file?: string): PayloadTooLarge {
  return new PayloadTooLarge(`${what} is over the limit of ${formatBytes(limit.max)} (${limit.setting})`, {
    max: limit.max,
    setting: limit.setting,
    ...(file === undefined ? {} : { file }),
  });
}

/** A body whose declared length is already over the limit is refused before a byte is read. */
function checkDeclaredLength(req: Request, limit: Limit, what: string) {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit.max) throw tooLarge(what, limit);
}

/**
 * The request body's chunks, counted as they arrive; past `limit` it throws the 413 (naming what
 * `describe` says is being read at that moment) before the chunk is passed on. On an early exit the
 * stream is only released, not cancelled: the node adapter drains a bounded rest (then closes the
 * connection) so the error response still reaches the client.
 */
export async function* limitedBody(
  req: Request,
  limit: Limit,
  describe: () => { what: string; file?: string } = () => ({ what: "The request body" }),
): AsyncGenerator<Uint8Array> {
  checkDeclaredLength(req, limit, describe().what);
  if (!req.body) return;
  const reader = req.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > limit.max) {
        const d = describe();
        throw tooLarge(d.what, limit, d.file);
      }
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The whole body in memory (JSON, an annotation file): at most `limit` bytes are ever held. */
export async function readBody(req: Request, limit: Limit, what: string, file?: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of limitedBody(req, limit, () => ({ what, file }))) parts.push(chunk);
  return Buffer.concat(parts);
}

/**
 * Streams a multipart/form-data body: `onFile` is called for each file part, one after the other in
 * body order, with the part's bytes to consume (what it leaves unread is skipped); `onField` sees plain
 * fields (their values are ignored). The whole body counts against `limit`. The first error (413, a
 * consumer's error, a malformed body as 400) stops the read and is thrown once every consumer settled.
 */
export async function readMultipart(
  req: Request,
  limit: Limit,
  onFile: (file: UploadedFile, bytes: AsyncIterable<Uint8Array>) => Promise<void>,
  onField: (name: string) => void = () => {},
): Promise<void> {
  if (!req.body) throw badRequest("The request has no body");
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": req.headers.get("content-type") ?? "" },
      preservePath: true,
      limits: { fields: 1000, fieldSize: 64 * 1024, headerPairs: 100 },
    });
  } catch (err) {
    throw badRequest(`Malformed multipart body: ${(err as Error).message}`);
  }
  let current: string | null = null;
  let failure: unknown = null;
  const source = Readable.from(
    limitedBody(req, limit, () =>
      current === null
        ? { what: "The upload" }
        : { what: `The upload (at file "${current}")`, file: current },
    ),
    { objectMode: false },
  );
  const stop = (err: unknown) => {
    failure ??= err;
    const e = err instanceof Error ? err : new Error(String(err));
    source.destroy(e);
    // The body may have been read to its end already (the source is done, so destroying it says nothing to
    // the pipeline), and the parser would then wait forever on the part the consumer left: its stream was
    // destroyed when the consumer's `for await` threw. Stop the parser too.
    parser.destroy(e);
  };

  let consumers: Promise<void> = Promise.resolve();
  parser.on("file", (field, stream, info) => {
    stream.on("error", () => {}); // a part's error is the body's: the pipeline reports it
    const filename = info.filename === undefined || info.filename === "" ? null : unescapeName(info.filename);
    consumers = consumers.then(async () => {
      try {
        if (failure !== null) return;
        current = filename ?? field;
        await onFile({ field, filename }, stream);
      } catch (err) {
        // the part's stream erring is the body's error (limit, malformed), which the pipeline reports
        if (err !== stream.errored) stop(err);
      } finally {
        stream.resume(); // skip what the consumer left, so the parser moves on to the next part
      }
    });
  });
  parser.on("field", (name) => {
    try {
      onField(name);
    } catch (err) {
      stop(err);
    }
  });

  let bodyError: unknown = null;
  try {
    await pipeline(source, parser);
  } catch (err) {
    bodyError = err;
  }
  await consumers;
  // a consumer's verdict (400 naming file and line) or the limit first; then a consumer's bug (500);
  // busboy's own errors mean the body is malformed
  if (failure instanceof HttpError) throw failure;
  if (bodyError instanceof HttpError) throw bodyError;
  if (failure !== null) throw failure;
  if (bodyError !== null) throw malformed(bodyError);
}

function malformed(err: unknown): HttpError {
  const message = (err as Error)?.message ?? String(err);
  return badRequest(
    /Unexpected end of (form|file)/.test(message)
      ? "Malformed multipart body: it ends before the closing boundary"
      : `Malformed multipart body: ${message}`,
  );
}

// Browsers and undici percent-encode '"', CR and LF in quoted names (WHATWG multipart/form-data encoding).
function unescapeName(v: string): string {
  return v.replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
}

/** The first file part named `field` of a multipart body, in memory (the whole body within `limit`); null: none. */
export async function readFilePart(
  req: Request,
  limit: Limit,
  field: string,
): Promise<{ bytes: Buffer; filename: string | null } | null> {
  let found: { bytes: Buffer; filename: string | null } | null = null;
  await readMultipart(req, limit, async (part, chunks) => {
    if (part.field !== field || found !== null) return;
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    found = { bytes: Buffer.concat(parts), filename: part.filename };
  });
  return found;
}
