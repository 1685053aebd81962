/**
 * `pnpm --filter @gloss/server build`: bundles the server and CLI (src/cli/main.ts) into dist/main.js with esbuild,
 * so `pnpm start` and `pnpm gloss` run plain JavaScript instead of compiling TypeScript at every start, and the
 * agreement worker thread (src/services/agreement/worker.ts) into dist/agreementWorker.js beside it, where
 * services/agreement/pool.ts looks for it when it runs from the bundle; and src/library.ts into dist/server.js, the
 * same server as a library (benchmarks start it to measure what `pnpm start` runs).
 *
 * The workspace's own TypeScript (@gloss/shared) is bundled in; the server's npm dependencies stay external and load
 * from node_modules (better-sqlite3 is native, and Yjs must be the one copy the whole tree shares). A source map is
 * written beside the bundle for `node --enable-source-maps`; nothing serves dist/.
 *
 * `--outdir DIR` builds elsewhere: a test builds into a folder of its own below server/ (so the bundle still finds
 * server/node_modules and, walking up, the repository root). `--if-stale` (what `pnpm gloss` runs first) rebuilds only when a file that went into the last bundle is newer than
 * it, and prints nothing; the summary otherwise goes to stderr, as esbuild's own does, never into a command's output.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Plugin } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: { outdir: { type: "string" }, "if-stale": { type: "boolean", default: false } },
});
const outdir = opts.outdir ? path.resolve(opts.outdir) : path.join(here, "dist");
const pkg = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};
/** What the bundle may import at run time: the server's own npm dependencies (not the workspace's packages). */
const runtimeDeps = new Set(
  Object.entries(pkg.dependencies)
    .filter(([, range]) => !range.startsWith("workspace:"))
    .map(([name]) => name),
);

/** The package name of a bare specifier ("@scope/name/sub" → "@scope/name"), or null for a relative/absolute path. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".") || path.isAbsolute(specifier) || specifier.startsWith("node:")) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? null);
}

/**
 * The server's dependencies stay external, since dist/main.js resolves them from server/node_modules. Anything else
 * reached by a bare import (@gloss/shared, and a dependency only shared/ declares) is bundled, because Node could
 * not resolve it from server/.
 */
const externalDeps: Plugin = {
  name: "external-server-deps",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageOf(args.path);
      return name && runtimeDeps.has(name) ? { path: args.path, external: true } : undefined;
    });
  },
};

const bundleFile = path.join(outdir, "main.js");
const workerFile = path.join(outdir, "agreementWorker.js");
/** When the last build started and the files that went into it (absolute paths), for `--if-stale`. */
const inputsFile = path.join(outdir, "main.inputs.json");
interface BuildInputs {
  startedAt: number;
  inputs: string[];
}

/** Whether dist/main.js or dist/agreementWorker.js is missing, or this script, package.json or an input of the last build changed since it began. */
function isStale(): boolean {
  let last: BuildInputs;
  try {
    fs.accessSync(bundleFile);
    fs.accessSync(workerFile);
    last = JSON.parse(fs.readFileSync(inputsFile, "utf8")) as BuildInputs;
  } catch {
    return true;
  }
  return [fileURLToPath(import.meta.url), path.join(here, "package.json"), ...last.inputs].some((file) => {
    try {
      return fs.statSync(file).mtimeMs >= last.startedAt;
    } catch {
      return true; // an input was removed or renamed
    }
  });
}

const ifStale = opts["if-stale"];
if (ifStale && !isStale()) process.exit(0);

// Loaded only now: the freshness check above is all most `pnpm gloss` runs do.
const { build } = await import("esbuild");
const startedAt = Date.now();
const result = await build({
  absWorkingDir: here,
  entryPoints: {
    main: "src/cli/main.ts",
    agreementWorker: "src/services/agreement/worker.ts",
    // the server as a library, for benchmarks that measure the bundle (src/library.ts)
    server: "src/library.ts",
  },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  sourcemap: "linked",
  // Stack traces need the mappings, not the sources: keeps the map small and the sources out of dist/.
  sourcesContent: false,
  plugins: [externalDeps],
  metafile: true,
  logLevel: "warning",
});

const bundled = [
  ...new Set(
    Object.keys(result.metafile.inputs)
      .map((file) => /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1])
      .filter((name): name is string => name !== undefined),
  ),
];
// One Yjs in the whole tree: a second copy inside the bundle would break sync silently.
for (const name of ["yjs", "y-protocols", "lib0", "better-sqlite3"]) {
  if (bundled.includes(name)) {
    fs.rmSync(outdir, { recursive: true, force: true });
    throw new Error(`build: ${name} was bundled; it must stay external`);
  }
}
// The metafile's input paths are relative to absWorkingDir.
const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(here, f));
fs.writeFileSync(inputsFile, JSON.stringify({ startedAt, inputs } satisfies BuildInputs));
const kib = (file: string) => `${(fs.statSync(file).size / 1024).toFixed(0)} KiB`;
if (!ifStale)
  process.stderr.write(
    `server: ${path.relative(process.cwd(), bundleFile)} ${kib(bundleFile)}, ${path.basename(workerFile)} ${kib(workerFile)}` +
      (bundled.length ? ` (bundled npm packages: ${bundled.join(", ")})` : "") +
      "\n",
  );
