import fs from "node:fs";
import path from "node:path";
import { IMPORT_FORMATS, ImportQuery, type LayerName } from "@gloss/shared";
import { Command } from "commander";
import { eq } from "drizzle-orm";
import { createCollab } from "../collab";
import { call, type Gen, get, type Store } from "../db/store";
import { createLogger } from "../log";
import { importAnnotations } from "../services/importAnnotations";
import { findUserByUsername } from "../services/users";
import { CliError, databaseName, parseOptions, positiveId, withStore } from "./common";

interface ImportAnnotationsOptions {
  format?: string;
  layer?: string;
  createLabels?: boolean;
  offsets?: string;
  as?: string;
}

/** Whether the project exists. */
function* projectExists(store: Store, projectId: number): Gen<boolean> {
  const { projects } = store.t;
  return !!(yield* get(store.q.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId))));
}

/**
 * `gloss import-annotations`: the same all-or-nothing import as POST /projects/:id/annotations/import,
 * on the database directly. Spans go through a collaboration service of this process, so they are
 * persisted as Yjs updates like any edit; a running server picks them up when it next loads the room
 * (prefer the API while a server has the document open).
 */
async function runImportAnnotations(
  projectId: number,
  fileArg: string,
  opts: ImportAnnotationsOptions,
): Promise<void> {
  const q = parseOptions(ImportQuery, {
    format: opts.format,
    layer: opts.layer,
    createLabels: opts.createLabels ? "true" : undefined,
    offsets: opts.offsets,
  });
  const file = path.resolve(fileArg);
  if (!fs.existsSync(file)) throw new CliError(`${fileArg}: no such file`);
  await withStore(async (store, config) => {
    const collab = createCollab({ database: store, config, log: createLogger(config.logLevel) });
    try {
      if (!(await call(store, projectExists, projectId)))
        throw new CliError(`no project ${projectId} in ${databaseName(config)}`);
      let userId: number | null = null;
      if (opts.as !== undefined) {
        const u = await call(store, findUserByUsername, opts.as);
        if (!u) throw new CliError(`no user "${opts.as}"`);
        userId = u.id;
      }
      const result = await importAnnotations(
        { store, collab },
        {
          projectId,
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
    } finally {
      await collab.close();
    }
  });
}

/** The `import-annotations` command. */
export const importAnnotationsCommand = () =>
  new Command("import-annotations")
    .description("import annotations (gloss, doccano, Label Studio, brat, W3C) into a layer, all or nothing")
    .argument("<projectId>", "the project", positiveId)
    .argument("<file>", "the annotation file (brat: a .zip of .txt + .ann)")
    .option("--format <format>", IMPORT_FORMATS.join(" | "))
    .option("--layer <layer>", "gold | shared | user-<id>")
    .option(
      "--create-labels",
      "create the labels the file uses that the project lacks (otherwise: an error listing them)",
    )
    .option("--offsets <unit>", "codepoint | utf16: declare the file's unit (default: detected per document)")
    .option("--as <username>", "the author recorded on the imported spans")
    .action(runImportAnnotations);
