/**
 * `gloss export` and `gloss import-annotations` as child processes on a real database file: the same
 * streaming job as the API, dropped-span counts printed, directory layout for zip formats, and an
 * all-or-nothing import written through the collaboration layer.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withDataDir } from "../helpers/backend";
import { runCli } from "../helpers/factories";
import { sqlRow } from "../helpers/sql";
import type { World } from "../helpers/world";
import { addWorld, markCuration } from "../helpers/world";

let dataDir: string;
let w: World;
beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-export-cli-"));
  w = await withDataDir(dataDir, async (store) => {
    const world = await addWorld(store);
    // the default gold export holds curated documents only
    for (const d of world.docs) await markCuration(store, d.id, "done");
    return world;
  });
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("gloss export", () => {
  it("writes CoNLL to a file and prints the dropped-span counts", async () => {
    const out = path.join(dataDir, "gold.conll");
    const r = await runCli(["export", String(w.project.id), "--format", "conll", "--out", out], { dataDir });
    expect(r.stderr).toMatch(/^exporting: 7 documents in /m); // not a TTY: one summary line
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Exported 7 records (20 spans, 5 relations) to ${out}.`);
    // the fixture's spans overlap nothing once tokens are cut at span boundaries (the CJK 彼 used to be
    // widened to its whole run and overlap a kept span: issue 13 item 15)
    expect(r.stdout).toContain("Dropped spans: 0 (overlapping a kept span: 0, covering no token: 0)");
    const text = fs.readFileSync(out, "utf8");
    expect(text.match(/^-DOCSTART- -X- -X- O$/gm)).toHaveLength(7);
    expect(text).toContain("there -X- _ B-claim\n");
  });

  it("writes Hugging Face as a directory when --out ends with /, and streams gloss JSONL to stdout", async () => {
    const dir = path.join(dataDir, "hf/");
    const r = await runCli(
      ["export", String(w.project.id), "--format=huggingface", "--out", dir, "--seed", "1"],
      { dataDir },
    );
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual([
      "README.md",
      "test.jsonl",
      "train.jsonl",
      "validation.jsonl",
    ]);
    expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toContain("0 span(s) are not in the tags");
    const stdout = await runCli(
      [
        "export",
        String(w.project.id),
        "--format",
        "gloss",
        "--out",
        "-",
        "--documents",
        String(w.docs[1]!.id),
      ],
      { dataDir },
    );
    expect(stdout.code).toBe(0);
    expect(JSON.parse(stdout.stdout).name).toBe("zwj");
    expect(stdout.stderr).toContain("Exported 1 record");
  });

  it("leaves un-curated documents out of gold by default and says so; --include-uncurated keeps them", async () => {
    await withDataDir(dataDir, async (store) => {
      await markCuration(store, w.docs[0]!.id, "in_progress");
      await markCuration(store, w.docs[1]!.id, "todo");
    });
    const out = path.join(dataDir, "gold.jsonl");
    const r = await runCli(["export", String(w.project.id), "--format", "gloss", "--out", out], { dataDir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Exported 5 records");
    expect(r.stdout).toContain(
      "Left out 2 documents whose curation is not done (--include-uncurated to export them).",
    );
    const all = await runCli(
      ["export", String(w.project.id), "--format", "gloss", "--include-uncurated", "--out", out],
      { dataDir },
    );
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("Exported 7 records");
    expect(all.stdout).not.toContain("Left out");
  });

  it("refuses bad options with exit code 2 and names them", async () => {
    const r = await runCli(["export", String(w.project.id), "--format", "docx"], { dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format:");
    const missing = await runCli(["export", "999", "--format", "gloss"], { dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("gloss export: No such project\n");
  });
});

describe("gloss import-annotations", () => {
  it("imports a Label Studio export into an annotator layer, and refuses a broken file storing nothing", async () => {
    const file = path.join(dataDir, "tasks.json");
    expect(
      (await runCli(["export", String(w.project.id), "--format", "labelstudio", "--out", file], { dataDir }))
        .code,
    ).toBe(0);
    const layer = `user-${w.annotator.id}`;
    const bad = path.join(dataDir, "bad.jsonl");
    fs.writeFileSync(bad, `${JSON.stringify({ text: w.docs[0]!.text, label: [[0, 2, "gossip"]] })}\n`);
    const refused = await runCli(
      ["import-annotations", String(w.project.id), bad, "--format", "doccano", "--layer", layer],
      { dataDir },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "Unknown labels: gossip (create them with createLabels=true). Nothing was imported.",
    );
    expect(refused.stderr).toContain('  bad.jsonl line 1, field label[0]: unknown label "gossip"');
    const count = (query: ReturnType<typeof sql>) =>
      withDataDir(dataDir, async (store) => (await sqlRow<{ n: number }>(store, query))!.n);
    expect(
      await count(
        sql`select cast(count(*) as integer) as n from yjs_updates where room like ${`doc/%/${layer}`}`,
      ),
    ).toBe(0);

    const r = await runCli(
      ["import-annotations", String(w.project.id), file, "--format", "labelstudio", "--layer", layer],
      { dataDir },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Imported 20 span(s) and 5 relation(s) into ${layer} of 7 document(s).\n`);
    expect(
      await count(sql`select cast(count(*) as integer) as n from annotations where layer = ${layer}`),
    ).toBe(20);
  });
});
