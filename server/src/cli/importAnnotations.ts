import fs from "node:fs";
import path from "node:path";
import { IMPORT_FORMATS, ImportQuery, type LayerName } from "@gloss/shared";
import { ZodError } from "zod";
import { createCollab } from "../collab";
import { openDb } from "../db/client";
import { loadConfig } from "../env";
import { HttpError } from "../errors";
import { createLogger } from "../log";
import { importAnnotations } from "../services/importAnnotations";
import type { Command } from "./commands";

const USAGE = "import-annotations <projectId> <file> --format F --layer L [--create-labels]";
const HELP = `Usage: pnpm gloss ${USAGE}
  --format         ${IMPORT_FORMATS.join(" | ")}   (brat: a .zip of .txt + .ann)
  --layer          gold | shared | user-<id>
  --create-labels  create the labels the file uses that the project lacks (otherwise: an error listing them)
  --offsets        codepoint | utf16: declare the file's unit (default: detected per document)
  --as <username>  the author recorded on the imported spans
`;

class UsageError extends Error {}

function parseArgs(args: string[]) {
  const positional: string[] = [];
  const query: Record<string, string> = {};
  let as: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--create-labels") query.createLabels = "true";
    else if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (name === "as") as = value;
      else if (["format", "layer", "offsets"].includes(name)) query[name] = value;
      else throw new UsageError(`unknown option --${name}`);
    } else positional.push(a);
  }
  const [project, file, ...rest] = positional;
  if (!project || !/^[1-9][0-9]*$/.test(project)) throw new UsageError("the first argument is a project id");
  if (!file) throw new UsageError("name the file to import");
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  return { projectId: Number(project), file, query, as };
}

/**
 * `gloss import-annotations`: the same all-or-nothing import as POST /projects/:id/annotations/import,
 * on the database directly. Spans go through a collaboration service of this process, so they are
 * persisted as Yjs updates like any edit; a running server picks them up when it next loads the room
 * (prefer the API while a server has the document open).
 */
export async function runImportAnnotations(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  let q: ImportQuery;
  try {
    parsed = parseArgs(args);
    q = ImportQuery.parse(parsed.query);
  } catch (e) {
    if (e instanceof ZodError) {
      const lines = e.issues.map((i) => `  --${i.path.join(".")}: ${i.message}`);
      process.stderr.write(`gloss import-annotations: bad options\n${lines.join("\n")}\n\n${HELP}`);
      return 2;
    }
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gloss import-annotations: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const file = path.resolve(parsed.file);
  if (!fs.existsSync(file)) {
    process.stderr.write(`gloss import-annotations: ${parsed.file}: no such file\n`);
    return 1;
  }
  const config = loadConfig();
  const db = openDb(config.dbFile, config.durability);
  const collab = createCollab({ db, config, log: createLogger(config.logLevel) });
  try {
    const project = db.$client.prepare("SELECT id FROM projects WHERE id = ?").get(parsed.projectId);
    if (!project) {
      process.stderr.write(`gloss import-annotations: no project ${parsed.projectId} in ${config.dbFile}\n`);
      return 1;
    }
    let userId: number | null = null;
    if (parsed.as) {
      const u = db.$client.prepare("SELECT id FROM users WHERE username = ?").get(parsed.as) as
        | { id: number }
        | undefined;
      if (!u) {
        process.stderr.write(`gloss import-annotations: no user "${parsed.as}"\n`);
        return 1;
      }
      userId = u.id;
    }
    const result = await importAnnotations(
      { db, collab },
      {
        projectId: parsed.projectId,
        format: q.format,
        layer: q.layer as LayerName,
        createLabels: q.createLabels,
        offsets: q.offsets,
        userId,
        fileName: path.basename(file),
      },
      fs.readFileSync(file),
    );
    await collab.flush();
    process.stdout.write(
      `Imported ${result.spans} span(s) and ${result.relations} relation(s) into ${q.layer} of ${result.documents} document(s)` +
        `${result.skipped ? `; ${result.skipped} already there` : ""}` +
        `${result.createdLabels.length ? `; created labels ${result.createdLabels.join(", ")}` : ""}.\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    process.stderr.write(`gloss import-annotations: ${e.message}\n`);
    const details = e.details as { errors?: Array<{ message: string }>; total?: number } | undefined;
    for (const err of details?.errors?.slice(0, 50) ?? []) process.stderr.write(`  ${err.message}\n`);
    if ((details?.total ?? 0) > 50) process.stderr.write(`  … and ${details!.total! - 50} more\n`);
    return 1;
  } finally {
    await collab.close();
    db.$client.close();
  }
}

export const importAnnotationsCommands: Command[] = [
  {
    name: "import-annotations",
    usage: USAGE,
    summary: "import annotations (gloss, doccano, Label Studio, brat, W3C) into a layer, all or nothing",
    run: (args) => {
      if (args.includes("--help") || args.includes("-h")) {
        process.stdout.write(HELP);
        return Promise.resolve(0);
      }
      return runImportAnnotations(args);
    },
  },
];
