import fs from "node:fs";
import path from "node:path";
import { EXPORT_FORMATS, ExportQuery, FORMAT_INFO, skippedReasons, totalDropped } from "@gloss/shared";
import { ZodError } from "zod";
import { openDb } from "../db/client";
import { loadConfig } from "../env";
import { HttpError } from "../errors";
import { createExport, type ExportJob, type ExportStats } from "../services/export";
import type { Command } from "./commands";
import { createProgress } from "./progress";

const USAGE = "export <projectId> --format F [--layer L] [--out file|dir/|-] [options]";
const HELP = `Usage: pnpm gloss ${USAGE}
  --format       ${EXPORT_FORMATS.join(" | ")}
  --layer        gold (default) | shared | user-<id> | all | majority
  --out          a file (default: <project>-<layer>-<format>.<ext> here), "-" for stdout, or for
                 brat / huggingface a directory ending in "/" (files instead of a zip)
  --documents 1,2,3   --labels claim,denial   --status todo,in_progress,done
  --include-uncurated  gold: also documents whose curation is not done (default: curated only)
  --offsets codepoint (default) | utf16
  --split 0.8,0.1,0.1   --seed 42   --granularity sentence | document      (huggingface)
  --overlap keep-longest (default) | keep-first | per-label (huggingface)  (huggingface, conll)
`;

/** --name value / --name=value pairs → query strings (the same schema as the HTTP query). */
function parseArgs(args: string[]): { projectId: number; query: Record<string, string>; out?: string } {
  const query: Record<string, string> = {};
  const positional: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (name === "include-uncurated") {
      // a flag: `--include-uncurated` alone, or `--include-uncurated=false`
      query.includeUncurated = eq > 0 ? a.slice(eq + 1) : "true";
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (name === "out") out = value;
    else query[name] = value;
  }
  const [project, ...rest] = positional;
  if (!project || !/^[1-9][0-9]*$/.test(project)) throw new UsageError("the first argument is a project id");
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  return { projectId: Number(project), query, out };
}

class UsageError extends Error {}

/** Writes with backpressure: waits for 'drain' when the stream's buffer is full. */
function writer(stream: NodeJS.WritableStream) {
  let failed: Error | null = null;
  stream.on("error", (e: Error) => {
    failed = e;
  });
  return async (chunk: Uint8Array) => {
    if (failed) throw failed;
    if (stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      stream.once("drain", resolve);
      stream.once("error", reject);
    });
  };
}

async function writeFile(job: ExportJob, target: string, onChunk: () => void): Promise<void> {
  const stream = fs.createWriteStream(target);
  const write = writer(stream);
  for (const chunk of job.chunks()) {
    await write(chunk);
    onChunk();
  }
  await new Promise<void>((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function writeStdout(job: ExportJob, onChunk: () => void): Promise<void> {
  const write = writer(process.stdout);
  for (const chunk of job.chunks()) {
    await write(chunk);
    onChunk();
  }
}

/** Zip formats into a directory: every entry becomes a file (sub-folders created as needed). */
function writeDirectory(job: ExportJob, dir: string, onChunk: () => void): void {
  for (const entry of job.entries!()) {
    const file = path.join(dir, entry.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, "w");
    try {
      for (const piece of entry.content) fs.writeSync(fd, piece);
    } finally {
      fs.closeSync(fd);
    }
    onChunk();
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

/**
 * `gloss export`: the same streaming job as GET /api/projects/:id/export, straight from the database, with a
 * progress bar on a TTY (stderr) and the dropped-span counts printed at the end.
 */
export async function runExport(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  let query: ExportQuery;
  try {
    parsed = parseArgs(args);
    query = ExportQuery.parse(parsed.query);
  } catch (e) {
    if (e instanceof ZodError) {
      const lines = e.issues.map((i) => `  --${i.path.join(".")}: ${i.message}`);
      process.stderr.write(`gloss export: bad options\n${lines.join("\n")}\n\n${HELP}`);
      return 2;
    }
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gloss export: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const config = loadConfig();
  const db = openDb(config.dbFile, config.durability);
  try {
    const job = createExport(db, parsed.projectId, query);
    const base = process.cwd(); // where the user ran `pnpm gloss` (cli/main.ts moves there)
    const out = parsed.out ?? job.filename;
    const toStdout = out === "-";
    const target = toStdout ? "" : path.resolve(base, out);
    const asDir =
      !toStdout &&
      !!job.entries &&
      (out.endsWith("/") || fs.statSync(target, { throwIfNoEntry: false })?.isDirectory());
    const progress = createProgress({ label: "exporting", total: job.stats.totalWork, unit: "documents" });
    const tick = () => progress.update(job.stats.work);
    try {
      if (toStdout) await writeStdout(job, tick);
      else if (asDir) {
        fs.mkdirSync(target, { recursive: true });
        writeDirectory(job, target, tick);
      } else await writeFile(job, target, tick);
    } catch (e) {
      progress.abort();
      throw e;
    }
    progress.finish();
    const text = summary(job.stats, toStdout ? "stdout" : target, FORMAT_INFO[query.format].tokens);
    (toStdout ? process.stderr : process.stdout).write(text);
    return 0;
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    process.stderr.write(`gloss export: ${e.message}\n`);
    return 1;
  } finally {
    db.$client.close();
  }
}

export const exportCommands: Command[] = [
  {
    name: "export",
    usage: USAGE,
    summary: "export a layer in a training-data format, streaming (see `gloss export --help`)",
    run: (args) => {
      if (args.includes("--help") || args.includes("-h")) {
        process.stdout.write(HELP);
        return Promise.resolve(0);
      }
      return runExport(args);
    },
  },
];
