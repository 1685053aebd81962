/**
 * `gloss import` as a child process on a real database file (GLOSS_DATA_DIR=<temp dir>): folders, every
 * format, exact storage, all-or-nothing failures with file:line, duplicates, usage errors; and the
 * progress bar it shares with other commands.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgress, formatBytes, formatDuration } from "@gloss/server/cli/progress";
import { all, call, get, type Store } from "@gloss/server/db/store";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { databaseUrlFor, onPostgres, withDataDir } from "../helpers/backend";
import { addDocument, addProject, addUser } from "../helpers/seed";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/import");
const fixture = (name: string) => path.join(FIXTURES, name);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * A data dir with a migrated database holding one project (and a user for --as): its gloss.db, or on
 * PostgreSQL the data dir's database (test/helpers/backend.ts).
 */
async function dataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-cli-import-"));
  dirs.push(dir);
  const n = dirs.length;
  return withDataDir(dir, async (store) => {
    const user = await addUser(store, { username: `importer${n}` });
    const project = await addProject(store, { members: [{ user, role: "manager" }] });
    return { dir, projectId: project.id, username: user.username, userId: user.id };
  });
}

/** Reads back from the data dir's database. */
const inspect = <T>(dir: string, read: (store: Store) => Promise<T>): Promise<T> => withDataDir(dir, read);

const docsIn = (dir: string, projectId: number) =>
  inspect(dir, (store) =>
    call(store, function* (s) {
      const { documents } = s.t;
      return yield* all(
        s.q.select().from(documents).where(eq(documents.projectId, projectId)).orderBy(documents.id),
      );
    }),
  );

async function gloss(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    GLOSS_DATA_DIR: dir,
    GLOSS_LOG_LEVEL: "silent",
    ...(onPostgres ? { GLOSS_DATABASE_URL: await databaseUrlFor(dir) } : {}),
    ...env,
  };
  if (!("INIT_CWD" in env)) delete childEnv.INIT_CWD; // set when vitest runs under pnpm
  const child = spawn(process.execPath, ["--import", "tsx", "server/src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Each case spawns `node --import tsx` (a few seconds each on a busy machine): a generous ceiling, not a timing.
describe("gloss import", { timeout: 180_000 }, () => {
  it("imports a folder (every .txt/.jsonl/.csv inside, sorted), audits it --as the user, prints the counts", async () => {
    const { dir, projectId, username, userId } = await dataDir();
    const r = await gloss(dir, ["import", String(projectId), fixture("folder"), "--as", username]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Imported 4 documents into project \d+ .*; skipped 0 duplicates\. Import \d+\./);
    expect(r.stderr).toMatch(/ignoring 1 file/);
    // not a TTY: no redraws, one summary line per phase
    expect(r.stderr).not.toContain("\r");
    expect(r.stderr).toMatch(/^reading: \d+ B in .*$/m);
    expect(r.stderr).toMatch(/^storing: 4 documents in .*$/m);
    expect((await docsIn(dir, projectId)).map((d) => [d.name, d.text])).toEqual([
      ["a", "Folder text A.\n"],
      ["b1", "Folder jsonl B1"],
      ["b2", "Folder jsonl B2"],
      ["c1", "Folder csv C1"],
    ]);
    const entry = await inspect(dir, (store) =>
      call(store, function* (s) {
        const { auditLog } = s.t;
        return yield* get(s.q.select().from(auditLog).where(eq(auditLog.action, "documents.import")));
      }),
    );
    expect(entry).toMatchObject({ projectId, userId });
    expect(entry!.details).toMatchObject({ via: "cli", imported: 4, skipped: 0 });
    // the import is recorded, and its documents point to it
    const importId = Number(/Import (\d+)\./.exec(r.stdout)![1]);
    expect(entry!.details.importId).toBe(importId);
    const recorded = await inspect(dir, (store) =>
      call(store, function* (s) {
        const { imports } = s.t;
        return yield* get(s.q.select().from(imports).where(eq(imports.id, importId)));
      }),
    );
    expect(recorded).toMatchObject({ projectId, userId, via: "cli", imported: 4, skipped: 0 });
    expect((await docsIn(dir, projectId)).map((d) => d.importId)).toEqual([
      importId,
      importId,
      importId,
      importId,
    ]);
  });

  it("imports single files of every format, byte for byte (CRLF, emoji, NFD; BOM stripped)", async () => {
    const { dir, projectId } = await dataDir();
    const files = ["crlf.txt", "emoji.txt", "bom.txt", "docs-crlf.ndjson", "docs.csv"];
    const r = await gloss(dir, ["import", String(projectId), ...files.map(fixture)]);
    expect(r.code, r.stderr).toBe(0);
    const docs = await docsIn(dir, projectId);
    expect(docs.map((d) => d.name)).toEqual([
      "crlf",
      "emoji",
      "bom",
      "c1",
      "c2",
      "c3",
      "alpha",
      "beta",
      "docs-5",
    ]);
    const bytes = (i: number) => Buffer.from(docs[i]!.text, "utf8");
    expect(bytes(0).equals(fs.readFileSync(fixture("crlf.txt")))).toBe(true);
    expect(bytes(1).equals(fs.readFileSync(fixture("emoji.txt")))).toBe(true);
    expect(bytes(2).equals(fs.readFileSync(fixture("bom.txt")).subarray(3))).toBe(true);
    expect(docs[7]!.text).toBe("A quoted field\r\nspanning two lines  ");
  });

  it("a bad file anywhere: prints file:line: reason, exits 1, stores nothing (not even the good files)", async () => {
    const { dir, projectId } = await dataDir();
    const r = await gloss(dir, ["import", String(projectId), fixture("folder"), fixture("broken.jsonl")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fixture("broken.jsonl")}:2: not valid JSON`);
    expect(r.stderr).toContain("Nothing was imported.");
    expect(await docsIn(dir, projectId)).toEqual([]);

    const utf8 = await gloss(dir, [
      "import",
      String(projectId),
      fixture("plain.txt"),
      fixture("invalid-utf8.txt"),
    ]);
    expect(utf8.code).toBe(1);
    expect(utf8.stderr).toContain(`${fixture("invalid-utf8.txt")}:2: invalid UTF-8`);
    const csv = await gloss(dir, ["import", String(projectId), fixture("no-text-column.csv")]);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toContain(`${fixture("no-text-column.csv")}:1 (text): no "text" column`);
    expect(await docsIn(dir, projectId)).toEqual([]);
  });

  it("honours GLOSS_MAX_DOCUMENT_BYTES", async () => {
    const { dir, projectId } = await dataDir();
    const r = await gloss(dir, ["import", String(projectId), fixture("plain.txt")], {
      GLOSS_MAX_DOCUMENT_BYTES: "16",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fixture("plain.txt")}:1 (text): the text passes the limit of 16 bytes`);
    expect(await docsIn(dir, projectId)).toEqual([]);
  });

  it("reports duplicates on a second run; resolves relative paths from INIT_CWD (where `pnpm gloss` was typed)", async () => {
    const { dir, projectId } = await dataDir();
    const first = await gloss(dir, ["import", String(projectId), "plain.txt"], { INIT_CWD: FIXTURES });
    expect(first.code, first.stderr).toBe(0);
    const [doc] = await docsIn(dir, projectId);
    const again = await gloss(dir, ["import", String(projectId), "plain.txt", "emoji.txt"], {
      INIT_CWD: FIXTURES,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("Imported 1 document into project");
    expect(again.stdout).toContain("skipped 1 duplicate.");
    expect(again.stdout).toContain(`skipped plain.txt:1 "plain": same text as document ${doc!.id}`);
    expect(await docsIn(dir, projectId)).toHaveLength(2);
  });

  it("usage errors exit 2 and print one error line and the usage", async () => {
    const { dir, projectId } = await dataDir();
    for (const [args, message] of [
      [["import", String(projectId)], "missing required argument 'paths'"],
      [["import", String(projectId), fixture("plain.txt"), "--bogus"], "unknown option '--bogus'"],
      [["import", "first", fixture("plain.txt")], "value 'first' is invalid for argument 'projectId'"],
    ] as const) {
      const r = await gloss(dir, [...args]);
      expect(r.code, args.join(" ")).toBe(2);
      const [error, usage, ...rest] = r.stderr.split("\n");
      expect(error).toMatch(/^error: /);
      expect(error).toContain(message);
      expect(usage).toMatch(/^usage: pnpm gloss import \[options\] <projectId> <paths\.\.\.>/);
      expect(rest.join("")).toBe("");
      expect(r.stdout).toBe("");
    }
  });

  it("an unknown project, user or path, or an unsupported file exits 1 with nothing stored", async () => {
    const { dir, projectId } = await dataDir();
    const cases: Array<[string[], RegExp]> = [
      [["import", "424242", fixture("plain.txt")], /no project 424242/],
      [["import", String(projectId), fixture("plain.txt"), "--as", "nobody-here"], /no user "nobody-here"/],
      [["import", String(projectId), fixture("missing.txt")], /missing\.txt: no such file or folder/],
      [["import", String(projectId), fixture("folder/notes.md")], /notes\.md: unsupported file type/],
    ];
    const runs = await Promise.all(cases.map(([args]) => gloss(dir, args)));
    runs.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(" ")).toBe(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
    expect(await docsIn(dir, projectId)).toEqual([]);
  });

  it("imports the same corpus-like folder again as duplicates only, even with a document seeded before", async () => {
    const { dir, projectId } = await dataDir();
    await inspect(dir, (store) => addDocument(store, projectId, "Folder text A.\n", { name: "seeded" }));
    const r = await gloss(dir, ["import", String(projectId), fixture("folder")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Imported 3 documents");
    expect(r.stdout).toMatch(/skipped .*folder\/a\.txt:1 "a": same text as document \d+/);
  });
});

describe("progress bar (cli-progress)", () => {
  beforeEach(() => {
    // cli-progress reads Date.now and redraws on a timer: both under the test's control
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"], now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A fake terminal (or pipe): what was written, with the cursor and erase sequences removed. */
  function fake(isTTY: boolean) {
    const out: string[] = [];
    const stream = {
      isTTY,
      columns: 100,
      write: (s: string, cb?: () => void) => {
        out.push(s);
        cb?.();
        return true;
      },
    };
    const plain = (s: string) => s.replace(/\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g, "");
    const text = () => plain(out.join(""));
    const lines = () => text().split("\n");
    /** What is on the line now: the bar redraws in place after moving to the line start (ESC [1G). */
    const current = () => plain(out.join("").split("\x1b[1G").at(-1) ?? "");
    return { stream, out, text, lines, current };
  }

  it("on a TTY draws the label, bar, percentage, count/total, rate and ETA, redrawn in place", () => {
    const f = fake(true);
    const bar = createProgress({ label: "reading", total: 4 * 1024 * 1024, unit: "bytes", stream: f.stream });
    expect(f.text()).toMatch(/^reading \[░+\] {3}0% {2}0 B\/4\.0 MB {2}0 B\/s {2}ETA /);
    vi.advanceTimersByTime(1000);
    bar.tick(1024 * 1024);
    expect(f.current()).toMatch(
      /^reading \[█{10}░{30}\] {2}25% {2}1\.0 MB\/4\.0 MB {2}1\.0 MB\/s {2}ETA 3\.0s$/,
    );
    vi.advanceTimersByTime(1000); // redrawn on its timer too (the rate falls)
    expect(f.current()).toContain(" 25%  1.0 MB/4.0 MB  512.0 KB/s");
    expect(f.text()).not.toContain("\n"); // all on one line so far
    bar.update(2 * 1024 * 1024);
    bar.finish();
    expect(f.text()).toMatch(/ 50% {2}2\.0 MB\/4\.0 MB {2}1\.0 MB\/s {2}ETA \S+\n$/);
    expect(f.lines()).toHaveLength(2); // one line, ended
    const written = f.out.length;
    bar.tick(5); // after finish: nothing more
    vi.advanceTimersByTime(1000);
    expect(f.out).toHaveLength(written);
  });

  it("counts items with a unit; an unknown total shows no bar", () => {
    const f = fake(true);
    const bar = createProgress({ label: "storing", total: 0, unit: "documents", stream: f.stream });
    vi.advanceTimersByTime(2000);
    bar.update(12_000);
    bar.finish();
    expect(f.text()).toMatch(/storing 12,000 documents {2}6,000 documents\/s\n$/);
  });

  it("off a TTY prints nothing while running and one summary line at the end", () => {
    const f = fake(false);
    const bar = createProgress({ label: "storing", total: 100, unit: "documents", stream: f.stream });
    for (let i = 0; i < 100; i++) {
      vi.advanceTimersByTime(50);
      bar.tick(1);
    }
    expect(f.out).toEqual([]);
    bar.finish();
    expect(f.out).toEqual(["storing: 100 documents in 5.0s (20 documents/s)\n"]);
  });

  it("abort ends a drawn line once, before an error message", () => {
    const f = fake(true);
    const bar = createProgress({ label: "reading", total: 10, unit: "bytes", stream: f.stream });
    bar.tick(3);
    bar.abort();
    expect(f.text()).toMatch(/ 30% .*\n$/);
    bar.finish();
    expect(f.text().split("\n")).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0); // no redraw timer left to keep the process alive
  });

  it("formats sizes and durations", () => {
    expect([0, 1023, 1536, 5 * 1024 ** 2, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1.5 KB",
      "5.0 MB",
      "3.0 GB",
    ]);
    expect([0.42, 42, 59.6, 185, 3725, Number.NaN].map(formatDuration)).toEqual([
      "0.4s",
      "42s",
      "1m00s",
      "3m05s",
      "1h02m",
      "?",
    ]);
  });
});
