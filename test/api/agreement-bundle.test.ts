/**
 * The agreement worker from the production bundle: server/build.ts writes dist/agreementWorker.js beside
 * dist/main.js, and the bundled server finds it there (a file database, or PostgreSQL on `pnpm test:postgres`,
 * always computes in the worker, so a missing or broken worker file is a 500 here). The report is the one computed in-thread on the same file,
 * and SIGTERM still ends the server (the worker is terminated with it).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openDb } from "@gloss/server/db/client";
import { openPg } from "@gloss/server/db/pg";
import { call, pgStore, run as runQuery, sqliteStore } from "@gloss/server/db/store";
import { agreementOutcome } from "@gloss/server/services/agreement/compute";
import { reportPage } from "@gloss/server/services/agreement/service";
import { type AgreementReport, userLayer } from "@gloss/shared";
import { afterAll, describe, expect, it } from "vitest";
import { databaseUrlFor, onPostgres } from "../helpers/backend";
import { addDocument, addProject, addUser } from "../helpers/seed";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the bundled server's agreement worker", () => {
  it("is built as dist/agreementWorker.js and answers GET /api/projects/:id/agreement", async () => {
    // at the depth of server/dist, so the bundle finds server/node_modules as it would there (git-ignored)
    const outdir = fs.mkdtempSync(path.join(REPO_ROOT, "server/.dist-test-"));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-agreement-dist-"));
    dirs.push(outdir, dataDir);
    await run(process.execPath, ["--import", "tsx", "build.ts", "--outdir", outdir], {
      cwd: path.join(REPO_ROOT, "server"),
    });
    expect(fs.existsSync(path.join(outdir, "agreementWorker.js"))).toBe(true);

    // the data directory's database: its SQLite file, or on PostgreSQL the database named in its pg-url
    const databaseUrl = onPostgres ? await databaseUrlFor(dataDir) : null;
    const db = databaseUrl
      ? pgStore(await openPg(databaseUrl))
      : sqliteStore(openDb(path.join(dataDir, "gloss.db")));
    const manager = await addUser(db);
    const [a, b] = [await addUser(db), await addUser(db)];
    const p = await addProject(db, { members: [{ user: manager, role: "manager" }] });
    const doc = await addDocument(
      db,
      p.id,
      "The minister said the economy will grow, but critics denied it.",
    );
    for (const [user, spans] of [
      [
        a,
        [
          [0, 12, 0],
          [18, 39, 1],
        ],
      ],
      [
        b,
        [
          [0, 12, 0],
          [18, 39, 2],
        ],
      ],
    ] as const) {
      await call(db, function* (s) {
        yield* runQuery(
          s.q.insert(s.t.annotations).values(
            spans.map(([start, end, label], i) => ({
              projectId: p.id,
              documentId: doc.id,
              layer: userLayer(user.id),
              spanId: `s${i}`,
              start,
              end,
              labelId: p.labels[label]!.id,
              createdAt: 0,
            })),
          ),
        );
      });
    }
    const expected = JSON.parse(
      reportPage(await call(db, agreementOutcome, p.id, {}), { limit: 100, offset: 0, sort: "disagreement" }),
    ) as AgreementReport;
    if (db.dialect === "pg") await db.pool.end();
    else db.sqlite.close();

    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", GLOSS_DATA_DIR: dataDir };
    delete env.INIT_CWD;
    if (databaseUrl) env.GLOSS_DATABASE_URL = databaseUrl;
    else delete env.GLOSS_DATABASE_URL;
    const child = spawn(process.execPath, [path.join(outdir, "main.js"), "serve"], {
      cwd: dataDir,
      env: { ...env, GLOSS_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let stdout = "";
    const url = await new Promise<string | null>((resolve) => {
      child.stdout?.on("data", (d) => {
        stdout += d;
        const at = /running at (http:\/\/\S+)/.exec(stdout)?.[1];
        if (at) resolve(at);
      });
      exited.then(() => resolve(null));
    });
    expect(url, stdout).not.toBeNull();

    const res = await fetch(`${url}/api/projects/${p.id}/agreement`, { headers: { cookie: manager.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const report = (await res.json()) as AgreementReport;
    expect({ ...report, elapsedMs: 0 }).toEqual({ ...expected, elapsedMs: 0 });
    expect(report.overall.documents.compared).toBe(1);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 120_000);
});
