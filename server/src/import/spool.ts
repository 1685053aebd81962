import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ParsedDocument } from "./document";
import { linesSync, readLinesSync } from "./lines";

const FLUSH_CHARS = 1024 * 1024;

/**
 * Validated documents parked in a temporary NDJSON file between the two phases of an import: the
 * streaming, validating read (which may await) and the insert (one synchronous transaction). Only
 * the current buffer is ever in memory, whatever the size of the import.
 */
export class Spool {
  private readonly dir: string;
  private readonly file: string;
  private fd: number | null;
  private buffer: string[] = [];
  private bufferChars = 0;
  /** Documents written so far. */
  count = 0;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-import-"));
    this.file = path.join(this.dir, "documents.ndjson");
    this.fd = fs.openSync(this.file, "w", 0o600);
  }

  write(doc: ParsedDocument): void {
    // JSON.stringify never emits a raw newline, so one document is one line
    const line = `${JSON.stringify([doc.name, doc.text, doc.meta, doc.sha256, doc.source])}\n`;
    this.buffer.push(line);
    this.bufferChars += line.length;
    this.count++;
    if (this.bufferChars >= FLUSH_CHARS) this.flush();
  }

  /** Reads every document back, in order, synchronously. */
  readSync(onDoc: (doc: ParsedDocument) => void): void {
    this.flush();
    readLinesSync(
      this.file,
      (bytes) => {
        const [name, text, meta, sha256, source] = JSON.parse(
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"),
        ) as [string, string, string, string, string];
        onDoc({ name, text, meta, sha256, source });
      },
      Number.MAX_SAFE_INTEGER, // our own file, written from validated documents
    );
  }

  /** Every document, in order, one at a time as they are pulled (synchronous reads). */
  *documents(): Generator<ParsedDocument> {
    this.flush();
    // our own file, written from validated documents
    for (const bytes of linesSync(this.file, Number.MAX_SAFE_INTEGER)) {
      const [name, text, meta, sha256, source] = JSON.parse(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"),
      ) as [string, string, string, string, string];
      yield { name, text, meta, sha256, source };
    }
  }

  /** Closes and deletes the temporary file; safe to call twice. */
  dispose(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.buffer = [];
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private flush() {
    if (this.buffer.length === 0) return;
    if (this.fd === null) throw new Error("spool already disposed");
    fs.writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.bufferChars = 0;
  }
}
