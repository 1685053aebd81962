import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { EXPORT_FORMATS, ExportQuery, FORMAT_INFO, skippedReasons, totalDropped } from "@gloss/shared";
import { Command, InvalidArgumentError } from "commander";
import { execute, type Store } from "../db/store";
import { type ExportJob, type ExportStats, planExport } from "../services/export";
import { nextOf } from "../services/exportSource";
import { parseOptions, positiveId, withStore } from "./common";
import { createProgress } from "./progress";

/** Writes with backpressure: waits for 'drain' when the stream's buffer is full. */
function writer(stream: NodeJS.WritableStream) {
  let failed: Error | null = null;
  stream.on("error", (e: Error) => {
    failed = e;
  });
  return async (chunk: Uint8Array) => {
    if (failed) throw failed;
    if (stream.write(chunk)) return;
    // events.once rejects on 'error' and removes both listeners (a hand-made pair left one per wait)
    await once(stream as NodeJS.EventEmitter, "drain");
  };
}

/** The export's chunks on either database (pulled one at a time; synchronously on SQLite). */
async function* chunksOf(store: Store, job: ExportJob): AsyncGenerator<Uint8Array> {
  if (store.dialect === "sqlite") {
    yield* job.chunks();
    return;
  }
  const reader = job.open();
  try {
    for (;;) {
      const chunk = await execute(store, reader.pull());
      if (!chunk) return;
      yield chunk;
    }
  } finally {
    reader.stop();
  }
}

async function writeFile(store: Store, job: ExportJob, target: string, onChunk: () => void): Promise<void> {
  const stream = fs.createWriteStream(target);
  const write = writer(stream);
  for await (const chunk of chunksOf(store, job)) {
    await write(chunk);
    onChunk();
  }
  await new Promise<void>((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function writeStdout(store: Store, job: ExportJob, onChunk: () => void): Promise<void> {
  const write = writer(process.stdout);
  for await (const chunk of chunksOf(store, job)) {
    await write(chunk);
    onChunk();
  }
}

/** Zip formats into a directory: every entry becomes a file (sub-folders created as needed). */
function writeDirectory(job: ExportJob, dir: string, onChunk: () => void): void {
  for (const entry of job.entries!()) {
    const fd = openEntry(dir, entry.name);
    try {
      for (const piece of entry.content) fs.writeSync(fd, piece);
    } finally {
      fs.closeSync(fd);
    }
    onChunk();
  }
}

function openEntry(dir: string, name: string): number {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, "w");
}

/** `writeDirectory` on PostgreSQL: the entries and their pieces pulled one at a time, each read awaited. */
async function pullDirectory(store: Store, job: ExportJob, dir: string, onChunk: () => void): Promise<void> {
  const entries = job.files!()[Symbol.iterator]();
  try {
    for (;;) {
      const step = await execute(store, nextOf(entries));
      if (step.done) return;
      const entry = step.value;
      const content = entry.content[Symbol.iterator]();
      const fd = openEntry(dir, entry.name);
      try {
        for (;;) {
          const piece = await execute(store, nextOf(content));
          if (piece.done) break;
          fs.writeSync(fd, piece.value);
        }
      } finally {
        fs.closeSync(fd);
        content.return?.();
      }
      onChunk();
    }
  } finally {
    entries.return?.();
  }
}

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

function summary(stats: ExportStats, where: string, tokens: boolean): string {
  const d = stats.drops;
  let s = `Exported ${plural(stats.records, "record")} (${plural(stats.spans, "span")}, ${plural(stats.relations, "relation")}) to ${where}.\n`;
  if (tokens || totalDropped(d) > 0) {
    s += `Dropped spans: ${totalDropped(d)} (overlapping a kept span: ${d.overlap}, covering no token: ${d.noToken})`;
    const by = Object.entries(d.byLabel).map(([l, n]) => `${l} ${n}`);
    s += by.length ? ` — by label: ${by.join(", ")}\n` : "\n";
  }
  if (stats.uncuratedExcluded > 0)
    s += `Left out ${plural(stats.uncuratedExcluded, "document")} whose curation is not done (--include-uncurated to export them).\n`;
  if (stats.skipped.total > 0)
    s += `Skipped ${plural(stats.skipped.total, "unsound stored row")}: ${skippedReasons(stats.skipped)} — in ${[
      ...stats.skippedRooms,
    ]
      .slice(0, 10)
      .map(([room, n]) => `${room} (${n})`)
      .join(", ")}${stats.skippedRooms.size > 10 ? ", …" : ""}\n`;
  for (const n of stats.splitNotes) s += `Warning: split fallback: ${n}\n`;
  return s;
}

/** `--out`, and the HTTP export query's parameters (a flag given alone is `true`). */
type ExportOptions = { out?: string } & Record<string, string | true | undefined>;

/**
 * `gloss export`: the same streaming job as GET /api/projects/:id/export, straight from the database, with a
 * progress bar on a TTY (stderr) and the dropped-span counts printed at the end.
 */
async function runExport(projectId: number, opts: ExportOptions): Promise<void> {
  const { out: outOption, rawCsv, ...rest } = opts;
  if (rawCsv !== undefined) rest.raw = rawCsv;
  const query = parseOptions(
    ExportQuery,
    Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v === true ? "true" : v])),
  );
  await withStore(async (store) => {
    const job = await execute(store, planExport(store, projectId, query));
    const base = process.cwd(); // where the user ran `pnpm gloss` (cli/main.ts moves there)
    const out = outOption ?? job.filename;
    const toStdout = out === "-";
    const target = toStdout ? "" : path.resolve(base, out);
    const asDir =
      !toStdout &&
      !!job.entries &&
      (out.endsWith("/") || fs.statSync(target, { throwIfNoEntry: false })?.isDirectory());
    const progress = createProgress({ label: "exporting", total: job.stats.totalWork, unit: "documents" });
    const tick = () => progress.update(job.stats.work);
    try {
      if (toStdout) await writeStdout(store, job, tick);
      else if (asDir) {
        fs.mkdirSync(target, { recursive: true });
        if (store.dialect === "sqlite") writeDirectory(job, target, tick);
        else await pullDirectory(store, job, target, tick);
      } else await writeFile(store, job, target, tick);
    } catch (e) {
      progress.abort();
      throw e;
    }
    progress.finish();
    const text = summary(job.stats, toStdout ? "stdout" : target, FORMAT_INFO[query.format].tokens);
    (toStdout ? process.stderr : process.stdout).write(text);
  });
}

/** `--include-uncurated` alone, or `--include-uncurated=false`. */
function trueOrFalse(value: string): string {
  if (!["true", "false", "1", "0"].includes(value)) throw new InvalidArgumentError("expected true or false.");
  return value;
}

/** The `export` command. */
export const exportCommand = () =>
  new Command("export")
    .description("export a layer in a training-data format, streaming (the same job as the API's export)")
    .argument("<projectId>", "the project", positiveId)
    .option("--format <format>", EXPORT_FORMATS.join(" | "))
    .option("--layer <layer>", "gold (default) | shared | user-<id> | all | majority")
    .option(
      "--out <file|dir/|->",
      'a file (default: <project>-<layer>-<format>.<ext> here), "-" for stdout, or for brat / huggingface a directory ending in "/" (files instead of a zip)',
    )
    .option("--documents <1,2,3>", "only these documents")
    .option("--labels <claim,denial>", "only these labels")
    .option(
      "--status <todo,in_progress,done>",
      "only documents with this curation (gold) or assignment status",
    )
    .option(
      "--include-uncurated [true|false]",
      "gold: also documents whose curation is not done (default: curated only)",
      trueOrFalse,
    )
    .option("--offsets <unit>", "codepoint (default) | utf16")
    .option("--raw-csv", "csv: cells exactly as stored (default: formulas neutralised with a leading ')")
    .option("--split <0.8,0.1,0.1>", "huggingface: train, validation and test ratios")
    .option("--seed <n>", "huggingface: the seed of the split (default: 42)")
    .option("--granularity <unit>", "huggingface: sentence (default) | document")
    .option(
      "--overlap <policy>",
      "huggingface, conll: keep-longest (default) | keep-first | per-label (huggingface)",
    )
    .action(runExport);
