import { badRequest } from "../errors";

/** A part's headers, as far as an import cares. */
export interface MultipartPartInfo {
  /** The form field name. */
  name: string;
  /** The uploaded file's name, or null for a plain field. */
  filename: string | null;
}

/** Where a part's bytes go (a FormatParser fits). */
export interface PartSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");
const DASHES = Buffer.from("--");

/** The boundary parameter of a multipart/form-data Content-Type, or null. */
export function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2] ?? null;
  return b && b.length <= 70 ? b : null;
}

/**
 * Streams a multipart/form-data body (RFC 7578) part by part: for each part `onPart` returns where its
 * bytes go (null: discard). Only a delimiter's worth of bytes is held back between chunks, so a file of
 * any size passes through without being buffered (Hono's parseBody would hold every file in memory).
 */
export async function parseMultipart(
  chunks: AsyncIterable<Uint8Array>,
  boundary: string,
  onPart: (part: MultipartPartInfo) => PartSink | null,
): Promise<void> {
  // A leading CRLF lets the first delimiter (at the very start of the body) match like the others.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buf: Buffer = Buffer.from(CRLF);
  let state = "preamble" as "preamble" | "delimiter" | "headers" | "body" | "done";
  let sink: PartSink | null = null;

  const step = (): boolean => {
    switch (state) {
      case "preamble": {
        const i = buf.indexOf(delimiter);
        if (i < 0) {
          buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
          return false;
        }
        buf = buf.subarray(i + delimiter.length);
        state = "delimiter";
        return true;
      }
      case "delimiter": {
        if (buf.length < 2) return false;
        if (buf.subarray(0, 2).equals(DASHES)) {
          state = "done";
          return false;
        }
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 256) throw badRequest("Malformed multipart body: bad boundary line");
          return false;
        }
        // RFC 2046 allows linear whitespace ("transport padding") after a delimiter
        if (!/^[ \t]*$/.test(buf.subarray(0, eol).toString("latin1"))) {
          throw badRequest("Malformed multipart body: bad boundary line");
        }
        buf = buf.subarray(eol + 2);
        state = "headers";
        return true;
      }
      case "headers": {
        const empty = buf.subarray(0, 2).equals(CRLF);
        const end = empty ? 0 : buf.indexOf(HEADER_END);
        if (!empty && end < 0) {
          if (buf.length > MAX_HEADER_BYTES)
            throw badRequest("Malformed multipart body: part headers too long");
          return false;
        }
        const info = parsePartHeaders(buf.subarray(0, end).toString("utf8"));
        buf = buf.subarray(empty ? 2 : end + HEADER_END.length);
        sink = onPart(info);
        state = "body";
        return true;
      }
      case "body": {
        const i = buf.indexOf(delimiter);
        if (i >= 0) {
          if (i > 0) sink?.push(buf.subarray(0, i));
          sink?.end();
          sink = null;
          buf = buf.subarray(i + delimiter.length);
          state = "delimiter";
          return true;
        }
        // keep what could be the start of a delimiter split across chunks
        const safe = buf.length - delimiter.length + 1;
        if (safe > 0) {
          sink?.push(buf.subarray(0, safe));
          buf = buf.subarray(safe);
        }
        return false;
      }
      case "done":
        buf = Buffer.alloc(0); // the epilogue is ignored
        return false;
    }
  };

  for await (const chunk of chunks) {
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    let more = true;
    while (more) more = step();
  }
  if (state !== "done") throw badRequest("Malformed multipart body: it ends before the closing boundary");
}

/** Reads name and filename from a part's Content-Disposition (quoted, plain or RFC 5987 `filename*`). */
function parsePartHeaders(block: string): MultipartPartInfo {
  let name = "";
  let filename: string | null = null;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== "content-disposition") continue;
    const params = line.slice(colon + 1);
    const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
    let extended: string | null = null;
    for (let m = re.exec(params); m; m = re.exec(params)) {
      const key = m[1]!.toLowerCase();
      const raw = m[2] !== undefined ? unquote(m[2]) : m[3]!.trim();
      if (key === "name") name = raw;
      else if (key === "filename") filename = raw;
      else if (key === "filename*") extended = decodeExtended(raw);
    }
    if (extended !== null) filename = extended;
  }
  return { name, filename };
}

// Browsers and undici percent-encode '"', CR and LF in quoted names (WHATWG multipart/form-data encoding).
function unquote(v: string): string {
  return v.replace(/\\(.)/g, "$1").replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
}

function decodeExtended(v: string): string | null {
  const m = /^utf-8'[^']*'(.*)$/i.exec(v);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}
