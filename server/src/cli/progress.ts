/**
 * The progress of long CLI commands (import, export, …), drawn by cli-progress on a TTY stderr:
 *   importing [██████████░░░░░░░░░░]  52%  27.1 MB/52.0 MB  11.8 MB/s  ETA 2s
 * Off a TTY (a pipe, a log, CI) nothing is drawn; one summary line is printed at the end instead.
 */
// cli-progress is CommonJS: Node gives its exports as the default import
import cliProgress from "cli-progress";

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
}

export interface Progress {
  /** Adds `n` to the amount done. */
  tick(n: number): void;
  /** Sets the amount done. */
  update(done: number): void;
  /** Draws the final state and ends the line (TTY), or prints the summary line (otherwise). */
  finish(): void;
  /** Ends the bar's line without a summary, e.g. before printing an error. */
  abort(): void;
  readonly done: number;
}

/** Creates a progress display writing to `stream` (default: stderr, keeping stdout for results). */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const started = Date.now();
  const amount = (n: number) => (opts.unit === "bytes" ? formatBytes(n) : formatCount(n));
  const suffix = opts.unit === "bytes" ? "" : ` ${opts.unit}`;
  const total = Math.max(opts.total, 0);
  let done = 0;
  let closed = false;

  const bar = stream.isTTY
    ? new cliProgress.SingleBar({
        stream: stream as NodeJS.WritableStream,
        barsize: Math.max(10, Math.min(40, (stream.columns || 80) - opts.label.length - 50)),
        barCompleteChar: "█",
        barIncompleteChar: "░",
        format: (options, params) => {
          const secs = Math.max((Date.now() - started) / 1000, 1e-3);
          const rate = `${amount(params.value / secs)}${suffix}/s`;
          if (total === 0) return `${opts.label} ${amount(params.value)}${suffix}  ${rate}`;
          const ratio = Math.min(params.progress, 1);
          const full = Math.round(ratio * (options.barsize ?? 40));
          const drawn = `${options.barCompleteString?.slice(0, full)}${options.barIncompleteString?.slice(0, (options.barsize ?? 40) - full)}`;
          const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
          const eta = typeof params.eta === "number" ? formatDuration(params.eta) : "?";
          return `${opts.label} [${drawn}] ${pct}  ${amount(params.value)}/${amount(total)}${suffix}  ${rate}  ETA ${eta}`;
        },
      })
    : null;
  bar?.start(total, 0);

  return {
    tick(n) {
      done += n;
      if (!closed) bar?.update(done);
    },
    update(n) {
      done = n;
      if (!closed) bar?.update(done);
    },
    finish() {
      if (closed) return;
      closed = true;
      if (bar) {
        bar.update(done);
        bar.stop(); // draws the final state, then a newline
        return;
      }
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? ` (${amount(done / secs)}${suffix}/s)` : "";
      stream.write(`${opts.label}: ${amount(done)}${suffix} in ${formatDuration(secs)}${rate}\n`);
    },
    abort() {
      if (closed) return;
      closed = true;
      bar?.stop();
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
