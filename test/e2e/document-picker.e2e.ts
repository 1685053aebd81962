/**
 * The document picker against a real server, in a project of more documents than any page holds (1,200:
 * the old pickers listed the first 1000). The agreement filter finds a document past the first 1000 by
 * name, the report is computed for it alone, and its chip stays through another search; the assignment
 * settings assign a document found the same way; the export counts what a gold export leaves out from the
 * project's curation figures, not from a truncated list.
 */
import { createHash } from "node:crypto";
import { type AgreementReportPage, addSpan, type LayerContext, userLayer } from "@gloss/shared";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { apiAs, newContext, pageErrors } from "../helpers/e2e";
import { type SeededUser, seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

/** More documents than the largest page (1000). */
const FILLER = 1200;

/** `count` plain documents in one transaction (seedDocument one by one takes seconds at this size). */
function seedFiller(projectId: number, count: number): void {
  const insert = server.db.$client.prepare(
    "INSERT INTO documents (project_id, name, text, sha256, length) VALUES (?, ?, ?, ?, ?)",
  );
  server.db.$client.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const text = `Filler number ${i}: nothing to see here.`;
      const sha = createHash("sha256").update(text, "utf8").digest("hex");
      insert.run(projectId, `filler-${String(i).padStart(4, "0")}`, text, sha, text.length);
    }
  })();
}

/** A project with FILLER documents, then two documents to compare (past the first 1000 by id). */
async function bigProject(name: string) {
  const manager = seedUser(server.db, { displayName: "Mia Manager" });
  const ann = seedUser(server.db, { displayName: "Ann" });
  const bob = seedUser(server.db, { displayName: "Bob" });
  const cy = seedUser(server.db, { displayName: "Cy" });
  const project = seedProject(server.db, {
    name,
    members: [
      { user: manager, role: "manager" },
      { user: ann, role: "annotator" },
      { user: bob, role: "annotator" },
      { user: cy, role: "annotator" },
    ],
  });
  seedFiller(project.id, FILLER);
  const harbourText = "The harbour master said the pier is safe. Divers denied it.";
  const canalText = "The canal will reopen in May. Nobody denied it.";
  const harbour = seedDocument(server.db, project.id, harbourText, {
    name: "harbour-report",
    assignTo: [ann, bob],
  });
  const canal = seedDocument(server.db, project.id, canalText, {
    name: "canal-report",
    assignTo: [ann, bob],
  });
  const claim = project.labels.find((l) => l.name === "claim")!.id;
  const denial = project.labels.find((l) => l.name === "denial")!.id;
  const annotate = (doc: { id: number; text: string }, user: SeededUser, spans: Array<[string, number]>) =>
    server.deps.collab.withDoc(doc.id, userLayer(user.id), (y) => {
      const ctx: LayerContext = { text: doc.text, labelIds: new Set([claim, denial]) };
      for (const [needle, label] of spans) {
        const start = doc.text.indexOf(needle);
        addSpan(y, { start, end: start + needle.length, label, author: user.id }, ctx);
      }
    });
  // harbour: a label mismatch; canal: identical
  await annotate(harbour, ann, [
    ["the pier is safe", claim],
    ["Divers denied it", denial],
  ]);
  await annotate(harbour, bob, [
    ["the pier is safe", claim],
    ["Divers denied it", claim],
  ]);
  for (const u of [ann, bob]) await annotate(canal, u, [["Nobody denied it", denial]]);
  await server.deps.collab.flush();
  return { manager, ann, bob, cy, project, harbour, canal };
}

/** The names on the chips of the chosen documents. */
const chipNames = (page: Page) =>
  page.getByRole("list", { name: "Chosen documents" }).locator(".picker-chip-name").allTextContents();

test("the agreement filter finds a document past the first 1000 by name and keeps it chosen across searches", async () => {
  const { manager, project, harbour, canal } = await bigProject("Harbours");
  const context = await newContext(browser.browser, server, manager);
  const page = await context.newPage();
  // every agreement request the page makes, by its `documents` parameter
  const asked: Array<string | null> = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname === `/api/projects/${project.id}/agreement`)
      asked.push(url.searchParams.get("documents"));
  });
  await page.goto(`${server.url}/projects/${project.id}/agreement`);
  await page.getByRole("heading", { name: "Agreement", level: 1 }).waitFor();
  const filters = page.getByRole("form", { name: "Agreement filters" });
  const picker = filters.getByRole("group", { name: "Documents" });
  // the first page of every document, and how many there are
  await expect.poll(() => picker.locator(".pager .muted").textContent()).toBe(`1–20 of ${FILLER + 2}`);
  expect(await picker.getByText("None chosen: every document.").count()).toBe(1);
  await picker.screenshot({ path: screenshotPath("document-picker-all") });
  // the report over every document ranks both compared ones
  const ranked = () =>
    page.locator(".doc-ranking tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.document));
  await expect.poll(ranked).toEqual([String(harbour.id), String(canal.id)]);

  // search by name: the server finds the document the first 1000 leave out
  const search = picker.getByRole("searchbox", { name: "Search documents" });
  await search.fill("harbour");
  const harbourBox = picker.getByRole("checkbox", { name: "harbour-report", exact: true });
  await harbourBox.waitFor();
  await expect.poll(() => picker.locator(".picker-result").count()).toBe(1);
  expect(await picker.locator(".picker-count").textContent()).toBe("1 of 1");
  await harbourBox.check();
  await expect.poll(() => chipNames(page)).toEqual(["harbour-report"]);

  // the report is asked for that document and covers it alone
  await expect.poll(() => asked.at(-1)).toBe(String(harbour.id));
  await expect.poll(ranked).toEqual([String(harbour.id)]);
  const direct = await apiAs(server, manager).get<AgreementReportPage>(
    `/api/projects/${project.id}/agreement?documents=${harbour.id}`,
  );
  expect(direct.perDocument.map((d) => d.documentId)).toEqual([harbour.id]);

  // a second search: other results, the chip stays; choosing from them adds a second chip
  await search.fill("canal");
  await picker.getByRole("checkbox", { name: "canal-report", exact: true }).waitFor();
  await expect.poll(() => picker.getByRole("checkbox", { name: "harbour-report" }).count()).toBe(0);
  expect(await chipNames(page)).toEqual(["harbour-report"]);
  await picker.screenshot({ path: screenshotPath("document-picker") });
  await picker.getByRole("checkbox", { name: "canal-report", exact: true }).check();
  await expect.poll(() => chipNames(page)).toEqual(["harbour-report", "canal-report"]);
  await expect.poll(() => asked.at(-1)).toBe(`${harbour.id},${canal.id}`);
  await page.screenshot({ path: screenshotPath("document-picker-agreement"), fullPage: true });

  // a chip's button removes it (and unticks it among the results); Clear empties the choice: every document
  await picker.getByRole("button", { name: "Remove canal-report" }).click();
  await expect.poll(() => chipNames(page)).toEqual(["harbour-report"]);
  expect(await picker.getByRole("checkbox", { name: "canal-report", exact: true }).isChecked()).toBe(false);
  await picker.getByRole("button", { name: "Clear chosen documents" }).click();
  await picker.getByText("None chosen: every document.").waitFor();
  // (the report over every document is the one read first, still cached: no new request to wait for)
  await expect.poll(ranked).toEqual([String(harbour.id), String(canal.id)]);

  // paging through every document: the second page starts at 21
  await search.fill("");
  await expect.poll(() => picker.locator(".pager .muted").textContent()).toBe(`1–20 of ${FILLER + 2}`);
  await picker.getByRole("button", { name: "Following page of documents found" }).click();
  await expect.poll(() => picker.locator(".pager .muted").textContent()).toBe(`21–40 of ${FILLER + 2}`);
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("the assignment settings assign a document found by search past the first 1000", async () => {
  const { manager, cy, project, harbour } = await bigProject("Harbour assignments");
  const context = await newContext(browser.browser, server, manager);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${project.id}/settings`);
  const explicit = page.getByRole("form", { name: "Explicit assignment" });
  const picker = explicit.getByRole("group", { name: "Documents" });
  await picker.getByText("None chosen: nothing to assign.").waitFor();
  const search = picker.getByRole("searchbox", { name: "Search documents" });
  await search.fill("harbour");
  const box = picker.getByRole("checkbox", { name: "harbour-report", exact: true });
  await box.waitFor();
  // each result says who has it (described, not part of its name)
  expect(await picker.locator(".picker-result").textContent()).toMatch(/\(user\w+, user\w+\)$/);
  // Enter in the search box searches, it does not submit the assignment
  await search.press("Enter");
  await box.check();
  await expect.poll(() => chipNames(page)).toEqual(["harbour-report"]);
  await explicit.getByRole("checkbox", { name: "Cy" }).check();
  await explicit.getByRole("button", { name: "Assign selected" }).click();
  await page.getByRole("status").filter({ hasText: "Assigned: 1 assignment." }).waitFor();

  // the server holds the assignment; the result, re-read, names the new annotator
  const docs = await apiAs(server, manager).get<{
    documents: Array<{ id: number; assignments: Array<{ userId: number }> }>;
  }>(`/api/projects/${project.id}/documents?q=harbour`);
  expect(docs.documents.find((d) => d.id === harbour.id)?.assignments.map((a) => a.userId)).toContain(cy.id);
  await expect.poll(() => picker.locator(".picker-result").textContent()).toContain(cy.username);
  await page.locator("#assignment").screenshot({ path: screenshotPath("document-picker-assignment") });
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("the export counts the documents a gold export leaves out over the whole project, then over the chosen", async () => {
  const { manager, project } = await bigProject("Harbour exports");
  const context = await newContext(browser.browser, server, manager);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${project.id}/export`);
  const form = page.getByRole("form", { name: "Export options" });
  // none curated: every one of the project's documents, not the first 1000
  const leftOut = page.getByRole("status").filter({ hasText: /left out/ });
  await expect.poll(() => leftOut.textContent()).toMatch(new RegExp(`^${FILLER + 2} documents are left out`));
  const picker = form.getByRole("group", { name: "Documents" });
  await picker.getByRole("searchbox", { name: "Search documents" }).fill("harbour");
  await picker.getByRole("checkbox", { name: "harbour-report", exact: true }).check();
  await expect.poll(() => leftOut.textContent()).toMatch(/^1 document is left out/);
  await expect
    .poll(() => page.getByRole("link", { name: "Download" }).getAttribute("href"))
    .toMatch(/&documents=\d+$/);
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});
