/**
 * A terminal progress bar for long CLI commands (import, export, …):
 *   importing [██████████░░░░░░░░░░]  52%  27.1 MB/52.0 MB  11.8 MB/s  ETA 2s
 * It redraws in place (throttled) only when the stream is a TTY; otherwise it stays silent and prints
 * one summary line at the end, so logs and CI output get a single readable line.
 */

/** The slice of a WriteStream the bar needs (process.stderr fits; tests pass a fake). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  label: string;
  /** Expected total; 0 when unknown (no bar, no ETA). */
  total: number;
  /** How amounts are shown: bytes (KB/MB/GB) or plain counts followed by `unit` (e.g. "documents"). */
  unit: "bytes" | string;
  stream?: ProgressStream;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Least time between two redraws, in ms. */
  interval?: number;
}

export interface Progress {
  /** Adds `n` to the amount done. */
  tick(n: number): void;
  /** Sets the amount done. */
  update(done: number): void;
  /** Draws the final state (TTY) or prints the summary line (otherwise), then ends the line. */
  finish(): void;
  /** Ends the line without a summary, e.g. before printing an error. */
  abort(): void;
  readonly done: number;
}

const FULL = "█";
const EMPTY = "░";

/** Creates a progress bar writing to `stream` (default: stderr, keeping stdout for results). */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const interval = opts.interval ?? 100;
  const tty = !!stream.isTTY;
  const started = now();
  let done = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let closed = false;

  const amount = (n: number) => (opts.unit === "bytes" ? formatBytes(n) : formatCount(n));
  const suffix = opts.unit === "bytes" ? "" : ` ${opts.unit}`;

  const line = (): string => {
    const secs = Math.max((now() - started) / 1000, 1e-3);
    const rate = done / secs;
    const rateText = `${amount(rate)}${suffix}/s`;
    if (opts.total <= 0) return `${opts.label} ${amount(done)}${suffix}  ${rateText}`;
    const ratio = Math.min(done / opts.total, 1);
    const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
    const eta = rate > 0 ? formatDuration((opts.total - Math.min(done, opts.total)) / rate) : "?";
    const tail = ` ${pct}  ${amount(done)}/${amount(opts.total)}${suffix}  ${rateText}  ETA ${eta}`;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - opts.label.length - tail.length - 4));
    const full = Math.round(ratio * width);
    return `${opts.label} [${FULL.repeat(full)}${EMPTY.repeat(width - full)}]${tail}`;
  };

  const draw = (force: boolean) => {
    if (!tty || closed) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    drawn = true;
    // \r back to the line start, then erase what a longer previous line left behind
    stream.write(`\r${line()}\x1b[K`);
  };

  return {
    tick(n) {
      done += n;
      draw(false);
    },
    update(n) {
      done = n;
      draw(false);
    },
    finish() {
      if (closed) return;
      if (tty) {
        draw(true);
        stream.write("\n");
      } else {
        const secs = (now() - started) / 1000;
        const rate = secs > 0 ? ` (${amount(done / secs)}${suffix}/s)` : "";
        stream.write(`${opts.label}: ${amount(done)}${suffix} in ${formatDuration(secs)}${rate}\n`);
      }
      closed = true;
    },
    abort() {
      if (!closed && drawn) stream.write("\n");
      closed = true;
    },
    get done() {
      return done;
    },
  };
}

/** 1536 → "1.5 KB" (powers of 1024). */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** 12345 → "12,345"; fractions (rates) are rounded. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Seconds → "0.4s", "42s", "3m05s", "1h02m". */
export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) return "?";
  if (secs < 10) return `${secs.toFixed(1)}s`;
  const whole = Math.round(secs);
  if (whole < 60) return `${whole}s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
