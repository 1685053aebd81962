/**
 * The production bundle (`pnpm start`, `pnpm gloss`): server/build.ts's esbuild output, run by plain Node. Built here
 * into a folder of its own at the depth of server/dist (so a path counted in `..` from the sources would miss here
 * as it would there), started from an unrelated working directory: what it needs (migrations, client/dist,
 * node_modules) it must find from where it lies, not from where it was started.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

let outdir: string;
let bundle: string;
const children: ChildProcess[] = [];
const tmpDirs: string[] = [];

/** An environment without pnpm's INIT_CWD (the CLI would chdir there) and with the given extras. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, GLOSS_LOG_LEVEL: "warn", ...extra };
  delete e.INIT_CWD;
  return e;
}

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-dist-"));
  tmpDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(REPO_ROOT, "server/.dist-test-")); // git-ignored
  bundle = path.join(outdir, "main.js");
  await run(process.execPath, ["--import", "tsx", "build.ts", "--outdir", outdir], {
    cwd: path.join(REPO_ROOT, "server"),
  });
}, 120_000);

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of [outdir, ...tmpDirs]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the server bundle", () => {
  it("holds the workspace's TypeScript, not the server's npm dependencies; its source map points at the sources", () => {
    const map = JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    const sources = map.sources.map((s) => path.resolve(outdir, s));
    expect(sources).toContain(path.join(REPO_ROOT, "server/src/cli/main.ts"));
    expect(sources.some((s) => s.startsWith(path.join(REPO_ROOT, "shared/src/")))).toBe(true);
    for (const s of sources) expect(fs.existsSync(s), s).toBe(true);
    // The server's npm dependencies load from node_modules (one Yjs in the tree; better-sqlite3 is native). Only a
    // package that shared/ alone declares, so that Node could not resolve it from server/, is bundled.
    const deps = (pkg: string): string[] =>
      Object.keys(
        JSON.parse(fs.readFileSync(path.join(REPO_ROOT, pkg, "package.json"), "utf8")).dependencies,
      );
    const sharedOnly = deps("shared").filter((name) => !deps("server").includes(name));
    const bundled = new Set(
      sources.flatMap((s) => /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []),
    );
    for (const name of bundled) expect(sharedOnly, name).toContain(name);
    expect(sharedOnly).not.toContain("yjs");
    expect(map.sourcesContent).toBeUndefined(); // mappings only: the sources stay out of dist/
    expect(fs.readFileSync(bundle, "utf8")).toMatch(/\n\/\/# sourceMappingURL=main\.js\.map\n?$/);
  });

  it("maps its code back to the TypeScript under --enable-source-maps", async () => {
    const script = `
      import fs from "node:fs";
      import { findSourceMap } from "node:module";
      const url = ${JSON.stringify(pathToFileURL(bundle).href)};
      process.argv = [process.argv[0], ${JSON.stringify(bundle)}, "help"];
      await import(url);
      const line = fs.readFileSync(new URL(url), "utf8").split("\\n").findIndex((l) => l.includes("function openDb("));
      process.stderr.write(JSON.stringify(findSourceMap(url)?.findEntry(line, 0) ?? null));
    `;
    const { stdout, stderr } = await run(
      process.execPath,
      ["--enable-source-maps", "--input-type=module", "-e", script],
      { cwd: tmpDir(), env: env({}) },
    );
    expect(stdout).toContain("serve");
    const entry = JSON.parse(stderr) as { originalSource: string; originalLine: number } | null;
    expect(entry?.originalSource).toBe(pathToFileURL(path.join(REPO_ROOT, "server/src/db/client.ts")).href);
  });

  it("serves from any working directory: migrates a new database, answers /api/health, serves client/dist", async () => {
    const dataDir = tmpDir();
    const child = spawn(process.execPath, ["--enable-source-maps", bundle, "serve"], {
      cwd: tmpDir(),
      env: env({ PORT: "0", HOST: "127.0.0.1", GLOSS_DATA_DIR: dataDir }),
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let stdout = "";
    // The address it prints once listening, or null when it exits first (a failed start fails here, not by timeout).
    const listening = new Promise<string | null>((resolve) => {
      child.stdout?.on("data", (d) => {
        stdout += d;
        const url = /running at (http:\/\/\S+)/.exec(stdout)?.[1];
        if (url) resolve(url);
      });
      exited.then(() => resolve(null));
    });
    const url = await listening;
    expect(url, stdout).not.toBeNull();

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    const indexFile = path.join(REPO_ROOT, "client/dist/index.html");
    const page = await fetch(`${url}/`);
    if (fs.existsSync(indexFile)) {
      const html = fs.readFileSync(indexFile, "utf8");
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(html);
      const asset = /(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      if (asset) expect((await fetch(`${url}${asset}`)).status).toBe(200);
    } else {
      expect(page.status).toBe(503); // found the right folder, which is not built yet
    }
    // The bundle and its map are never served: a path to them gets the SPA's page (or the not-built notice).
    const map = await fetch(`${url}/server/dist/main.js.map`);
    expect(await map.text()).not.toContain('"mappings"');
    // A build file that does not exist (a client source map not built, an old chunk) is a 404, not the page.
    const missing = await fetch(`${url}/assets/not-built.js.map`);
    expect(missing.status).toBe(404);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const journal = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, "migrations/sqlite/meta/_journal.json"), "utf8"),
    ) as {
      entries: unknown[];
    };
    const db = new Database(path.join(dataDir, "gloss.db"), { readonly: true });
    try {
      const applied = db.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
      expect(applied.n).toBe(journal.entries.length);
    } finally {
      db.close();
    }
  });
});
