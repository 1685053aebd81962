import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { eq } from "drizzle-orm";
import { call, get } from "../db/store";
import { ImportBatch } from "../import/batch";
import { formatOf, IMPORT_EXTENSIONS } from "../import/formats";
import { commitImport } from "../services/documents";
import { findUserByUsername } from "../services/users";
import { CliError, databaseName, positiveId, withStore } from "./common";
import { createProgress } from "./progress";

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
    if (!stat) throw new CliError(`${p}: no such file or folder`);
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
        throw new CliError(`${p}: no ${IMPORT_EXTENSIONS.join("/")} files in this folder`);
      for (const name of wanted) {
        const file = path.join(absolute, name);
        files.push({ display: path.join(p, name), absolute: file, size: fs.statSync(file).size });
      }
    } else {
      if (!formatOf(p))
        throw new CliError(`${p}: unsupported file type (use ${IMPORT_EXTENSIONS.join(", ")})`);
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
async function runImport(projectId: number, paths: string[], opts: { as?: string }): Promise<void> {
  const out = process.stdout;
  const err = process.stderr;
  // relative to where the user ran `pnpm gloss` (cli/main.ts moves there)
  const files = expandPaths(paths, process.cwd(), (s) => err.write(`${s}\n`));
  await withStore(async (store, config) => {
    const project = await call(store, function* (s) {
      const { projects } = s.t;
      return yield* get(s.q.select().from(projects).where(eq(projects.id, projectId)));
    });
    if (!project) throw new CliError(`no project ${projectId} in ${databaseName(config)}`);
    let userId: number | null = null;
    if (opts.as !== undefined) {
      const user = await call(store, findUserByUsername, opts.as);
      if (!user) throw new CliError(`no user "${opts.as}"`);
      userId = user.id;
    }
    const batch = new ImportBatch(config.maxDocumentBytes);
    try {
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
      const result = await call(store, commitImport, batch, {
        projectId: project.id,
        userId,
        via: "cli",
        onStored: (n) => storing.update(n),
      });
      storing.finish();

      const s = (n: number) => (n === 1 ? "" : "s");
      const { imported, skipped } = result;
      out.write(
        `Imported ${imported.count} document${s(imported.count)} into project ${project.id} (${project.name}); ` +
          `skipped ${skipped.count} duplicate${s(skipped.count)}. Import ${result.importId}.\n`,
      );
      for (const d of skipped.first) {
        out.write(`  skipped ${d.source} "${d.name}": same text as document ${d.existingId}\n`);
      }
      if (skipped.count > skipped.first.length)
        out.write(`  … and ${skipped.count - skipped.first.length} more\n`);
    } finally {
      batch.dispose();
    }
  });
}

/** The `import` command. */
export const importCommand = () =>
  new Command("import")
    .description("import .txt/.jsonl/.ndjson/.csv documents into a project (all or nothing)")
    .argument("<projectId>", "the project", positiveId)
    .argument("<paths...>", `files, or folders (every ${IMPORT_EXTENSIONS.join("/")} file directly inside)`)
    .option("--as <username>", "the account recorded as the importer in the audit log")
    .action(runImport);
