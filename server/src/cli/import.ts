import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { openDb } from "../db/client";
import { projects, users } from "../db/schema";
import { loadConfig } from "../env";
import { ImportBatch } from "../import/batch";
import { formatImportError, ImportError } from "../import/errors";
import { formatOf, IMPORT_EXTENSIONS } from "../import/formats";
import { commitImport } from "../services/documents";
import type { Command } from "./commands";
import { createProgress } from "./progress";

const USAGE = "import <projectId> <files|folder>... [--as <username>]";

interface ImportArgs {
  projectId: number;
  paths: string[];
  as: string | null;
}

/** A bad command line (exit 2) or a bad path (exit 1), reported before the database is opened. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

function parseArgs(args: string[]): ImportArgs {
  const positional: string[] = [];
  let as: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--as") {
      as = args[++i] ?? null;
      if (!as) throw new UsageError("--as needs a username");
    } else if (a.startsWith("--as=")) as = a.slice(5);
    else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  const [project, ...paths] = positional;
  if (!project || !/^[1-9][0-9]*$/.test(project)) throw new UsageError("the first argument is a project id");
  if (paths.length === 0) throw new UsageError("name at least one file or folder");
  return { projectId: Number(project), paths, as };
}

interface InputFile {
  /** As shown in messages: the path as typed (or folder/name). */
  display: string;
  absolute: string;
  size: number;
}

/**
 * Expands the arguments: a folder gives every .txt/.jsonl/.ndjson/.csv directly inside it, sorted by
 * name; a file is taken as named (an unsupported extension is an error, not silently skipped).
 */
function expandPaths(paths: string[], base: string, warn: (s: string) => void): InputFile[] {
  const files: InputFile[] = [];
  for (const p of paths) {
    const absolute = path.resolve(base, p);
    const stat = fs.statSync(absolute, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`${p}: no such file or folder`, 1);
    if (stat.isDirectory()) {
      const entries = fs
        .readdirSync(absolute, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort();
      const wanted = entries.filter((name) => formatOf(name));
      if (entries.length > wanted.length) {
        warn(
          `${p}: ignoring ${entries.length - wanted.length} file(s) that are not ${IMPORT_EXTENSIONS.join("/")}`,
        );
      }
      if (wanted.length === 0)
        throw new UsageError(`${p}: no ${IMPORT_EXTENSIONS.join("/")} files in this folder`, 1);
      for (const name of wanted) {
        const file = path.join(absolute, name);
        files.push({ display: path.join(p, name), absolute: file, size: fs.statSync(file).size });
      }
    } else {
      if (!formatOf(p))
        throw new UsageError(`${p}: unsupported file type (use ${IMPORT_EXTENSIONS.join(", ")})`, 1);
      files.push({ display: p, absolute, size: stat.size });
    }
  }
  return files;
}

/**
 * `gloss import`: reads the files with the same parsers and the same one-transaction insert as
 * POST /projects/:id/documents, straight on the database. On a bad line it prints `file:line: reason`,
 * stores nothing and exits 1.
 */
export async function runImport(args: string[]): Promise<number> {
  const out = process.stdout;
  const err = process.stderr;
  let parsed: ImportArgs;
  let files: InputFile[];
  try {
    parsed = parseArgs(args);
    // relative to where the user ran `pnpm gloss` (cli/main.ts moves there)
    files = expandPaths(parsed.paths, process.cwd(), (s) => err.write(`${s}\n`));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`gloss import: ${e.message}\n${e.exitCode === 2 ? `Usage: pnpm gloss ${USAGE}\n` : ""}`);
    return e.exitCode;
  }

  const config = loadConfig();
  const db = openDb(config.dbFile, config.durability);
  const batch = new ImportBatch(config.maxDocumentBytes);
  try {
    const project = db.select().from(projects).where(eq(projects.id, parsed.projectId)).get();
    if (!project) {
      err.write(`gloss import: no project ${parsed.projectId} in ${config.dbFile}\n`);
      return 1;
    }
    let userId: number | null = null;
    if (parsed.as) {
      const user = db.select().from(users).where(eq(users.username, parsed.as)).get();
      if (!user) {
        err.write(`gloss import: no user "${parsed.as}"\n`);
        return 1;
      }
      userId = user.id;
    }

    const total = files.reduce((n, f) => n + f.size, 0);
    const reading = createProgress({ label: "reading", total, unit: "bytes" });
    try {
      for (const f of files) {
        const stream = fs.createReadStream(f.absolute, { highWaterMark: 1024 * 1024 });
        await batch.addStream(f.display, null, stream, (n) => reading.tick(n));
      }
    } catch (e) {
      reading.abort();
      throw e;
    }
    reading.finish();

    const storing = createProgress({ label: "storing", total: batch.count, unit: "documents" });
    const result = commitImport(db, batch, {
      projectId: project.id,
      userId,
      via: "cli",
      onStored: (n) => storing.update(n),
    });
    storing.finish();

    const s = (n: number) => (n === 1 ? "" : "s");
    out.write(
      `Imported ${result.imported.length} document${s(result.imported.length)} into project ${project.id} (${project.name}); ` +
        `skipped ${result.skipped.length} duplicate${s(result.skipped.length)}.\n`,
    );
    for (const d of result.skipped.slice(0, 20)) {
      out.write(`  skipped ${d.source} "${d.name}": same text as document ${d.existingId}\n`);
    }
    if (result.skipped.length > 20) out.write(`  … and ${result.skipped.length - 20} more\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    err.write(`${formatImportError(e.where)}\nNothing was imported.\n`);
    return 1;
  } finally {
    batch.dispose();
    db.$client.close();
  }
}

export const importCommands: Command[] = [
  {
    name: "import",
    usage: USAGE,
    summary: "import .txt/.jsonl/.ndjson/.csv documents into a project (all or nothing)",
    run: runImport,
  },
];
