/**
 * `pnpm gloss` on PostgreSQL (GLOSS_DATABASE_URL): the commands a team runs before and around the server —
 * accounts, projects, document import, annotation import, the projection rebuild — as child processes on a
 * database of the test's own, read back with SQL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closePg, openPg, type PgDb } from "@gloss/server/db/pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/factories";
import { createTestDatabase } from "../helpers/postgres";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pg: PgDb;
let dir: string;
const cli = (args: string[], input?: string) =>
  runCli(args, { dataDir: dir, input, env: { GLOSS_DATABASE_URL: database.url } });
const rows = async <T>(text: string, params: unknown[] = []) =>
  (await pg.$client.query(text, params)).rows as T[];

beforeAll(async () => {
  database = await createTestDatabase();
  // migrated by the first command; this pool only reads (openPg migrates too, under the same lock)
  pg = await openPg(database.url, { max: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-pg-cli-"));
});

afterAll(async () => {
  await closePg(pg);
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("gloss on PostgreSQL", () => {
  const texts = [
    "The minister denied the report. 🙂 Critics say otherwise.",
    "Officials may resign, sources said.",
  ];

  it("adds an account, creates a project, imports documents and annotations, and rebuilds the projection", async () => {
    const user = await cli(["user", "add", "ada", "--password-stdin"], "correct horse battery staple\n");
    expect(user.stderr).toBe("");
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/Created user ada \(id \d+, administrator\)/);

    const project = await cli(["project", "create", "Claims", "--owner", "ada", "--mode", "shared"]);
    expect(project.code).toBe(0);
    const projectId = Number(project.stdout.trim());
    expect(projectId).toBeGreaterThan(0);

    const docs = path.join(dir, "docs.jsonl");
    fs.writeFileSync(docs, texts.map((text, i) => JSON.stringify({ name: `d${i}`, text })).join("\n"));
    const imported = await cli(["import", String(projectId), docs]);
    expect(imported.stderr).not.toMatch(/error/i);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/Imported 2 documents/);
    const stored = await rows<{ name: string; text: string }>("SELECT name, text FROM documents ORDER BY id");
    expect(stored).toEqual(texts.map((text, i) => ({ name: `d${i}`, text })));

    // spans in code points (doccano's unit): "minister" and, past the emoji, "Critics"
    const critics = [...texts[0]!].indexOf("C");
    const annotations = path.join(dir, "spans.jsonl");
    fs.writeFileSync(
      annotations,
      `${JSON.stringify({
        text: texts[0],
        label: [
          [4, 12, "claim"],
          [critics, critics + 7, "attribution"],
        ],
      })}\n`,
    );
    const ann = await cli([
      "import-annotations",
      String(projectId),
      annotations,
      "--format",
      "doccano",
      "--layer",
      "shared",
    ]);
    expect(ann.stderr).toBe("");
    expect(ann.code).toBe(0);
    expect(ann.stdout).toMatch(/Imported 2 span\(s\)/);
    // the projection, in UTF-16 code units inside: the emoji is two of them
    const spans = () =>
      rows<{ start: number; end: number }>(
        `SELECT start, "end" FROM annotations WHERE layer = 'shared' ORDER BY start`,
      );
    const utf16 = texts[0]!.indexOf("Critics");
    expect(await spans()).toEqual([
      { start: 4, end: 12 },
      { start: utf16, end: utf16 + 7 },
    ]);

    // the projection is derived: lost, it is rebuilt from the stored layers
    await pg.$client.query("DELETE FROM annotations");
    const rebuilt = await cli(["rebuild-projection", "--project", String(projectId)]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/annotations\s+2/);
    expect(await spans()).toHaveLength(2);

    const missing = await cli(["import", "999", docs]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no project 999 in the PostgreSQL database");
    expect(missing.stderr).not.toContain(database.url);
  });
});
