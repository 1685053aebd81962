import fs from "node:fs";
import { fail } from "./errors";

/**
 * Receives one physical line: its bytes without the "\n" (a "\r" before it is kept: what it means is the
 * format's business), its 1-based number, and whether a "\n" ended it (the last line may lack one).
 * `bytes` may be a view into the caller's chunk: use it before returning.
 */
export type LineHandler = (bytes: Uint8Array, line: number, terminated: boolean) => void;

/**
 * Splits a byte stream into lines on 0x0A. Splitting bytes (not text) is safe for UTF-8, where 0x0A
 * never occurs inside a multi-byte sequence, and lets every line be decoded strictly on its own, so an
 * invalid byte is reported with its line number.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 1;

  constructor(
    private readonly file: string,
    private readonly onLine: LineHandler,
    private readonly maxLineBytes: number,
  ) {}

  /** Feeds the next chunk; complete lines are handed over before this returns. */
  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (this.pendingBytes === 0) this.emit(piece, true);
      else {
        this.checkLength(this.pendingBytes + piece.length);
        this.emit(Buffer.concat([...this.pending, piece]), true);
        this.pending = [];
        this.pendingBytes = 0;
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      // copied: the caller may reuse its chunk buffer (the synchronous reader does)
      const rest = Buffer.from(chunk.subarray(start));
      this.checkLength(this.pendingBytes + rest.length);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  /** Flushes a last line that had no "\n". */
  end(): void {
    if (this.pendingBytes > 0) this.emit(Buffer.concat(this.pending), false);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Number of the line that will be handed over next. */
  get nextLine(): number {
    return this.line;
  }

  private emit(bytes: Uint8Array, terminated: boolean) {
    const n = this.line++;
    this.checkLength(bytes.length, n);
    this.onLine(bytes, n, terminated);
  }

  private checkLength(bytes: number, line = this.line) {
    if (bytes > this.maxLineBytes) {
      fail({ file: this.file, line }, `line is longer than ${this.maxLineBytes} bytes`);
    }
  }
}

const CHUNK = 1024 * 1024;

/**
 * Reads a file line by line with synchronous reads in fixed chunks: for the insert phase, which runs
 * inside one synchronous SQLite transaction and so must not await.
 */
export function readLinesSync(file: string, onLine: LineHandler, maxLineBytes: number): void {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const splitter = new LineSplitter(file, onLine, maxLineBytes);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      splitter.push(buf.subarray(0, n));
    }
    splitter.end();
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `readLinesSync` as a pull iterator: each line's bytes (a copy), read with synchronous reads in fixed
 * chunks, so a reader that awaits between lines (PostgreSQL's insert) holds one chunk's lines at a time.
 */
export function* linesSync(file: string, maxLineBytes: number): Generator<Uint8Array> {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const lines: Uint8Array[] = [];
    const splitter = new LineSplitter(file, (bytes) => lines.push(Buffer.from(bytes)), maxLineBytes);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      splitter.push(buf.subarray(0, n));
      yield* lines.splice(0);
    }
    splitter.end();
    yield* lines.splice(0);
  } finally {
    fs.closeSync(fd);
  }
}
