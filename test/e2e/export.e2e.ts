/**
 * The export page against a real server: the gold layer downloads as Gloss JSONL through a
 * plain link (the browser saves the stream), its content is what the API streams, and its code-point
 * offsets cut exactly the covered text; the preview shows the first records and follows the filters.
 * The annotation import panel shows the server's errors with their file and line, then the counts.
 */
import fs from "node:fs";
import { curations } from "@gloss/server/db/schema";
import { addSpan, type LayerContext, userLayer } from "@gloss/shared";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { apiAs, newContext, pageErrors, projectedSpans } from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

interface GlossRecord {
  document: { id: number; name: string };
  text: string;
  layer: string;
  spans: Array<{ start: number; end: number; label: string; text: string }>;
}

/** The records of a Gloss JSONL file; tolerant of where H5's writer puts the document fields. */
function records(jsonl: string): GlossRecord[] {
  return jsonl
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown> & Partial<GlossRecord>;
      const doc = (r.document as GlossRecord["document"] | undefined) ?? {
        id: Number(r.id ?? r.document_id),
        name: String(r.name ?? ""),
      };
      const text = (r.text ?? (r.document as { text?: string } | undefined)?.text) as string;
      return { document: doc, text, layer: String(r.layer), spans: r.spans ?? [] };
    });
}

test("the export page downloads the gold layer as Gloss JSONL, previews it, and imports annotations", async () => {
  const manager = seedUser(server.db, { displayName: "Mia Manager" });
  const ann = seedUser(server.db, { displayName: "Ann" });
  const project = seedProject(server.db, {
    name: "Exports",
    members: [
      { user: manager, role: "manager" },
      { user: ann, role: "annotator" },
    ],
  });
  const claim = project.labels.find((l) => l.name === "claim")!;
  const denial = project.labels.find((l) => l.name === "denial")!;
  // astral characters and a combining mark before the spans: code points and UTF-16 differ
  const texts = [
    "😀 Officials said the bridge is safe. 🌉 Critics denied it.",
    "Cafe\u0301 owners say prices may rise.",
  ];
  const docs = texts.map((t, i) =>
    seedDocument(server.db, project.id, t, { name: `doc-${i + 1}`, assignTo: [ann] }),
  );
  const ctx = (text: string): LayerContext => ({ text, labelIds: new Set([claim.id, denial.id]) });
  const gold = async (i: number, spans: Array<[string, number]>) =>
    server.deps.collab.withDoc(docs[i]!.id, "gold", (doc) => {
      for (const [needle, label] of spans) {
        const start = texts[i]!.indexOf(needle);
        addSpan(doc, { start, end: start + needle.length, label, author: manager.id }, ctx(texts[i]!));
      }
    });
  await gold(0, [
    ["the bridge is safe", claim.id],
    ["Critics denied it", denial.id],
  ]);
  await gold(1, [["prices may rise", claim.id]]);
  await server.deps.collab.flush();
  // Gold exports hold curated documents by default: both are.
  for (const d of docs) server.db.insert(curations).values({ documentId: d.id, status: "done" }).run();

  const context = await newContext(browser.browser, server, manager);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${project.id}/export`);
  await page.getByRole("heading", { name: "Export", level: 1 }).waitFor();

  // defaults: Gloss JSONL, gold, code points; the preview shows the first records
  const form = page.getByRole("form", { name: "Export options" });
  expect(await form.getByLabel("Format").inputValue()).toBe("gloss");
  expect(await form.getByLabel("Layer").inputValue()).toBe("gold");
  const download = page.getByRole("link", { name: "Download" });
  const href = await download.getAttribute("href");
  expect(href).toBe(`/api/projects/${project.id}/export?format=gloss&layer=gold`);
  await expect
    .poll(() => page.locator(".preview-text").textContent(), { timeout: 10_000 })
    .toContain("the bridge is safe");
  expect(await page.locator(".preview-text").textContent()).toContain("prices may rise");
  await page.screenshot({ path: screenshotPath("export-page"), fullPage: true });

  // the browser downloads the stream; the file is what the API serves
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  expect(file.suggestedFilename()).toMatch(/\.jsonl$/);
  const content = fs.readFileSync((await file.path())!, "utf8");
  const res = await apiAs(server, manager).request("GET", href!);
  expect(res.status).toBe(200);
  expect(content).toBe(await res.text());
  const got = records(content);
  expect(got.map((r) => [r.document.name, r.layer])).toEqual([
    ["doc-1", "gold"],
    ["doc-2", "gold"],
  ]);
  for (const r of got) {
    const chars = Array.from(r.text);
    for (const s of r.spans) expect(chars.slice(s.start, s.end).join("")).toBe(s.text);
  }
  expect(got[0]!.spans.map((s) => [s.label, s.text])).toEqual([
    ["claim", "the bridge is safe"],
    ["denial", "Critics denied it"],
  ]);
  expect(got[0]!.spans[0]!.start).toBe(texts[0]!.indexOf("the bridge") - 1); // one astral character before

  // a filter: one document, UTF-16 offsets; the link and the preview follow
  await form.getByRole("searchbox", { name: "Search documents" }).fill("doc-2");
  await form.getByRole("checkbox", { name: "doc-2", exact: true }).check();
  await form.getByLabel("Offsets").selectOption("utf16");
  await expect
    .poll(() => download.getAttribute("href"))
    .toBe(
      `/api/projects/${project.id}/export?format=gloss&layer=gold&offsets=utf16&documents=${docs[1]!.id}`,
    );
  await expect.poll(() => page.locator(".preview-text").textContent()).not.toContain("the bridge is safe");
  expect(await page.locator(".preview-text").textContent()).toContain("prices may rise");
  // every other text format previews without an error (the same URL the link downloads)
  for (const format of ["doccano", "doccano-relations", "labelstudio", "w3c", "conll", "spacy", "csv"]) {
    await form.getByLabel("Format").selectOption(format);
    await expect.poll(() => download.getAttribute("href")).toContain(`format=${format}&`);
    const url = await download.getAttribute("href");
    // the preview on screen is the one of this URL (data-source), not the previous format's
    await expect
      .poll(() => page.locator(".export-preview").getAttribute("data-source"), { timeout: 10_000 })
      .toBe(url);
    expect(await page.locator(".preview-text").textContent()).toMatch(/prices/);
    expect(await page.locator(".export-preview-section [role=alert]").count()).toBe(0);
  }
  // Hugging Face shows its own options and sends them
  await form.getByLabel("Format").selectOption("huggingface");
  await form.getByLabel("Seed").fill("7");
  await expect.poll(() => download.getAttribute("href")).toContain("format=huggingface");
  expect(await download.getAttribute("href")).toContain("seed=7");
  expect(await page.locator(".export-preview-section").textContent()).toContain("a zip archive");

  // import: an unknown label is refused with the file and line; created on request, then counted
  const importForm = page.getByRole("form", { name: "Import annotations" });
  const line = (text: string, start: number, end: number, label: string) =>
    JSON.stringify({ text, label: [[start, end, label]] });
  const cp = (text: string, needle: string) => Array.from(text.slice(0, text.indexOf(needle))).length;
  const t0 = texts[0]!;
  const good = line(t0, cp(t0, "Officials"), cp(t0, "Officials") + "Officials".length, "source");
  await importForm.getByLabel("Format of the file").selectOption("doccano");
  await importForm.getByLabel("Into layer").selectOption(userLayer(ann.id));
  await importForm.getByLabel("File", { exact: true }).setInputFiles({
    name: "pre.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(`${good}\n`),
  });
  await importForm.getByRole("button", { name: "Import" }).click();
  await expect
    .poll(() => page.locator(".import-panel [role=alert]").textContent())
    .toContain("Unknown labels: source");
  // a broken second line: the error names the file and the line
  await importForm.getByLabel("File", { exact: true }).setInputFiles({
    name: "broken.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(`${good}\n{"text": \n`),
  });
  await importForm.getByRole("button", { name: "Import" }).click();
  await expect
    .poll(() => page.locator(".import-panel .issue-list").textContent())
    .toMatch(/broken\.jsonl line 2/);
  await page.screenshot({ path: screenshotPath("export-import-error"), fullPage: true });
  expect(projectedSpans(server, docs[0]!.id, userLayer(ann.id))).toEqual([]);

  await importForm.getByLabel("File", { exact: true }).setInputFiles({
    name: "pre.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(`${good}\n`),
  });
  await importForm.getByLabel("Create labels the project does not have yet").check();
  await importForm.getByRole("button", { name: "Import" }).click();
  await expect
    .poll(() => page.locator(".import-result").textContent())
    .toBe("Imported 1 span and 0 relations into 1 document. New labels: source.");
  await server.deps.collab.flush();
  const imported = projectedSpans(server, docs[0]!.id, userLayer(ann.id));
  expect(imported.map((s) => t0.slice(s.start, s.end))).toEqual(["Officials"]);
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});
