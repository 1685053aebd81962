/**
 * CSV exports are safe to open in a spreadsheet by default (issue 17, OWASP CSV injection): a cell that
 * starts with =, +, -, @, tab or CR is prefixed with a single quote. `?raw=true` and `gloss export
 * --raw-csv` give the bytes as stored, for pipelines.
 */
import { addSpan, readCsv } from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/factories";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
beforeEach(async () => {
  server = await startServer({ file: true });
});
afterEach(async () => {
  await server.close();
});

const HOSTILE = '=HYPERLINK("http://evil.example","click")';
const TEXT = `${HOSTILE} said the minister. -1 point, @handle wrote.`;

async function world(): Promise<{ manager: SeededUser; projectId: number }> {
  const manager = await addUser(server.store);
  const project = await addProject(server.store, { members: [{ user: manager, role: "manager" }] });
  const doc = await addDocument(server.store, project.id, TEXT, { name: "+report.txt" });
  const ctx = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  await server.deps.collab.withDoc(doc.id, "gold", (d) => {
    addSpan(
      d,
      { start: 0, end: HOSTILE.length, label: project.labels[0]!.id, author: null, note: "@note" },
      ctx,
    );
    const minus = TEXT.indexOf("-1 point");
    addSpan(d, { start: minus, end: minus + 8, label: project.labels[0]!.id, author: null }, ctx);
  });
  return { manager, projectId: project.id };
}

const column = (rows: string[][], name: string) => rows.slice(1).map((r) => r[rows[0]!.indexOf(name)]!);

async function exportCsv(manager: SeededUser, projectId: number, extra = ""): Promise<string[][]> {
  const res = await fetch(
    `${server.url}/api/projects/${projectId}/export?format=csv&layer=gold&includeUncurated=true${extra}`,
    { headers: { cookie: manager.cookie } },
  );
  expect(res.status).toBe(200);
  return readCsv(await res.text());
}

describe("CSV export safety", () => {
  it("neutralises formula cells by default; raw=true gives them as stored", async () => {
    const { manager, projectId } = await world();
    const safe = await exportCsv(manager, projectId);
    expect(column(safe, "text").sort()).toEqual([`'${HOSTILE}`, "'-1 point"].sort());
    expect(column(safe, "document_name")).toEqual(["'+report.txt", "'+report.txt"]);
    expect(column(safe, "note")).toContain("'@note");
    const raw = await exportCsv(manager, projectId, "&raw=true");
    expect(column(raw, "text").sort()).toEqual([HOSTILE, "-1 point"].sort());
    expect(column(raw, "document_name")).toEqual(["+report.txt", "+report.txt"]);
    // with raw, offsets cut the text exactly again
    for (const r of raw.slice(1)) {
      const [start, end] = [Number(r[raw[0]!.indexOf("start")]), Number(r[raw[0]!.indexOf("end")])];
      expect([...TEXT].slice(start, end).join("")).toBe(r[raw[0]!.indexOf("text")]);
    }
  });

  it("gloss export: neutralised by default, --raw-csv for the bytes", async () => {
    const { projectId } = await world();
    const base = ["export", String(projectId), "--format", "csv", "--include-uncurated", "--out", "-"];
    const safe = await runCli(base, { dataDir: server.dataDir });
    expect(safe.code).toBe(0);
    expect(column(readCsv(safe.stdout), "text")).toContain(`'${HOSTILE}`);
    const raw = await runCli([...base, "--raw-csv"], { dataDir: server.dataDir });
    expect(raw.code).toBe(0);
    expect(column(readCsv(raw.stdout), "text")).toContain(HOSTILE);
  });
});
