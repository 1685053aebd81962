/**
 * Adjudication in the browser against a real server and the live gold room:
 * (a) a curator auto-merges two annotators' layers, settles a label mismatch (their own version, by the
 *     keyboard) and a boundary mismatch (accepting one annotator's version), rejects a missing span, and
 *     the gold layer's projection holds exactly the result;
 * (b) two curators on the same document: a decision by one appears for the other without a reload, and
 *     each sees the other's presence (in the header and at the disagreement they look at);
 * plus the project's curation progress page with its "next document".
 */
import { annotations } from "@gloss/server/db/schema";
import type { DocumentCurationDto, ProjectCurationDto } from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import {
  at,
  curationNotice as notice,
  openCount,
  openCuration as openCurationOn,
  panelTitle,
  range,
  seedCurationWorld,
} from "../helpers/curationWorld";
import { apiAs, newContext, pageErrors } from "../helpers/e2e";
import { type SeededUser, seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

/** Two annotators with one agreed span, a label, a boundary and a missing disagreement. */
const world = (curators: SeededUser[], name = "bulletin") =>
  seedCurationWorld(server, {
    curators,
    name,
    ann: [
      ["taxes will rise", "claim"],
      ["Critics denied it", "denial"],
      ["Prices may fall", "speculation"],
      ["Sources", "attribution"],
    ],
    bob: [
      ["taxes will rise", "claim"],
      ["Critics denied it", "claim"],
      ["Prices may fall", "speculation", 1], // with the full stop
    ],
  });
const openCuration = (page: Page, documentId: number) => openCurationOn(page, server, documentId);

/** The labels drawn in the gold lane, in reading order (one per span: its first cell). */
const goldLane = (page: Page) =>
  page
    .locator('[data-lane="gold"][data-first]')
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-label")));

/** The gold layer's projection (annotations table) after the server flushed every pending write. */
async function goldProjection(documentId: number) {
  await server.deps.collab.flush();
  return server.db
    .select({ start: annotations.start, end: annotations.end, labelId: annotations.labelId })
    .from(annotations)
    .where(and(eq(annotations.documentId, documentId), eq(annotations.layer, "gold")))
    .orderBy(annotations.start)
    .all();
}

test("a curator auto-merges, settles a label and a boundary mismatch, and gold's projection holds the result", async () => {
  const curator = seedUser(server.db, { displayName: "Cora Curator" });
  const w = await world([curator]);
  const context = await newContext(browser.browser, server, curator);
  const page = await context.newPage();
  await openCuration(page, w.documentId);

  // lanes: Ann, Bob, Gold; three open disagreements, each named by its kind in words
  expect(await page.getByRole("list", { name: "Lanes" }).getByRole("listitem").allTextContents()).toEqual([
    "1ANAnn (4)",
    "2BOBob (3)",
    "GGold (0)",
  ]);
  expect(await openCount(page)).toBe("3");
  const badges = await page
    .locator("[data-disagreement]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  expect(badges).toEqual([
    "Disagreement 1 of 3: label, open",
    "Disagreement 2 of 3: boundary, open",
    "Disagreement 3 of 3: missing, open",
  ]);

  // auto-merge writes the one agreed span and says what it skipped
  await page.getByRole("button", { name: "Auto-merge" }).click();
  await expect.poll(() => page.locator("[data-merge-result]").textContent()).toContain("Merged 1 span");
  expect(await page.locator("[data-merged]").textContent()).toBe("claim taxes will rise");
  await expect.poll(() => goldLane(page)).toEqual(["claim"]);

  // J: the first open disagreement (label); E opens "your version"; pick the label and save
  await page.keyboard.press("j");
  await expect.poll(() => panelTitle(page)).toBe("Disagreement 1 of 3");
  expect(await page.locator("[data-kind]").allTextContents()).toEqual(["label"]);
  await page.keyboard.press("e");
  const edit = page.getByRole("form", { name: "Edit the gold version" });
  await edit.getByLabel("Label").selectOption({ label: "denial" });
  expect(await edit.locator("[data-preview] q").textContent()).toBe("Critics denied it");
  // the boundaries read in characters (code points): one fewer than UTF-16 after the emoji
  expect(await edit.getByLabel("Start (character)").inputValue()).toBe(String(at("Critics") - 1));
  await page.screenshot({ path: screenshotPath("curation-edit"), fullPage: true });
  await edit.getByRole("button", { name: "Save to gold" }).click();
  await expect.poll(() => notice(page)).toBe("Saved your version, denial “Critics denied it”, to gold.");
  await expect.poll(() => openCount(page)).toBe("2");

  // J again: the boundary mismatch; accept Bob's version (with the full stop) by his lane's key (2)
  await page.keyboard.press("j");
  await expect.poll(() => panelTitle(page)).toBe("Disagreement 2 of 3");
  const versions = await page.locator("[data-candidate-who]").allTextContents();
  const bobs = versions.findIndex((t) => t.startsWith("Marked by Bob"));
  expect(bobs).toBeGreaterThanOrEqual(0);
  expect(await page.locator("[data-candidate-text]").nth(bobs).textContent()).toBe("Prices may fall.");
  await page.keyboard.press("2");
  await expect.poll(() => notice(page)).toBe("Accepted speculation “Prices may fall.” into gold.");

  // J: the attribution only Ann marked; R rejects it
  await page.keyboard.press("j");
  await expect.poll(() => panelTitle(page)).toBe("Disagreement 3 of 3");
  await page.keyboard.press("r");
  await expect.poll(() => openCount(page)).toBe("0");
  await expect
    .poll(() =>
      page.locator("[data-disagreement]").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label"))),
    )
    .toEqual([
      "Disagreement 1 of 3: label, resolved in gold",
      "Disagreement 2 of 3: boundary, resolved in gold",
      "Disagreement 3 of 3: missing, rejected",
    ]);
  await expect.poll(() => goldLane(page)).toEqual(["claim", "denial", "speculation"]);

  // the status control
  await page.getByLabel("Curation status").selectOption("done");
  await expect.poll(() => notice(page)).toBe("Curation status: done.");
  await page.keyboard.press("k");
  await expect.poll(() => notice(page)).toBe("No open disagreement left.");
  // with "open ones only" off, K steps back through the settled ones (a checkbox keeps the page's keys)
  await page.getByLabel("Open ones only").uncheck();
  await page.keyboard.press("k");
  await expect.poll(() => panelTitle(page)).toBe("Disagreement 2 of 3");
  await page.screenshot({ path: screenshotPath("curation-resolved"), fullPage: true });

  // gold's projection holds exactly the result (UTF-16 offsets inside layers)
  expect(await goldProjection(w.documentId)).toEqual([
    { start: range("taxes will rise")[0], end: range("taxes will rise")[1], labelId: w.label.claim },
    { start: range("Critics denied it")[0], end: range("Critics denied it")[1], labelId: w.label.denial },
    {
      start: range("Prices may fall", 1)[0],
      end: range("Prices may fall", 1)[1],
      labelId: w.label.speculation,
    },
  ]);
  const view = await apiAs(server, curator).get<DocumentCurationDto>(
    `/api/documents/${w.documentId}/curation`,
  );
  expect(view.status).toBe("done");
  expect(view.counts).toMatchObject({ open: 0, resolved: 3 });
  expect(view.gold.spans.find((s) => s.labelName === "denial")?.provenance).toMatchObject({
    via: "edit",
    decidedBy: curator.id,
  });
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("two curators on one document see each other's decisions and presence live", async () => {
  const cora = seedUser(server.db, { displayName: "Cora Curator" });
  const carl = seedUser(server.db, { displayName: "Carl Checker" });
  const w = await world([cora, carl], "live-bulletin");
  const ctxA = await newContext(browser.browser, server, cora);
  const ctxB = await newContext(browser.browser, server, carl);
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  await openCuration(a, w.documentId);
  await openCuration(b, w.documentId);

  // presence in the header, both ways
  await a.getByText("Carl Checker is here").waitFor({ state: "attached" });
  await b.getByText("Cora Curator is here").waitFor({ state: "attached" });

  // Cora goes to the label mismatch; Carl sees where she is
  await a.locator('[data-disagreement="1"]').click();
  await expect.poll(() => panelTitle(a)).toBe("Disagreement 1 of 3");
  await b.getByText("Cora Curator is looking at this").waitFor({ state: "attached" });
  expect(
    await b.locator("[data-badges-of]").first().getByText("Cora Curator is looking at this").count(),
  ).toBe(1);

  // Cora accepts Ann's version; Carl's view updates without a reload
  const navigations: string[] = [];
  b.on("framenavigated", (f) => navigations.push(f.url()));
  await a.getByRole("button", { name: /^Accept version \d: denial by Ann$/ }).click();
  await expect.poll(() => notice(a)).toBe("Accepted denial “Critics denied it” into gold.");
  await expect
    .poll(() => b.locator('[data-disagreement="1"]').getAttribute("aria-label"), { timeout: 5_000 })
    .toBe("Disagreement 1 of 3: label, resolved in gold");
  await expect.poll(() => openCount(b)).toBe("2");
  await expect.poll(() => goldLane(b)).toEqual(["denial"]);

  // and the other way round: Carl auto-merges, Cora sees the merged claim appear
  await b.getByRole("button", { name: "Auto-merge" }).click();
  await expect.poll(() => b.locator("[data-merge-result]").textContent()).toContain("Merged 1 span");
  await expect.poll(() => goldLane(a), { timeout: 5_000 }).toEqual(["claim", "denial"]);
  expect(navigations).toEqual([]);
  await a.screenshot({ path: screenshotPath("curation-live-a"), fullPage: true });
  await b.screenshot({ path: screenshotPath("curation-live-b"), fullPage: true });

  // Carl leaves: Cora's presence list empties
  await ctxB.close();
  await a.getByText("Only you here").waitFor();
  expect(pageErrors(ctxA)).toEqual([]);
  await ctxA.close();
});

test("two curators decide one disagreement: the second sees the first's decision live and is asked before replacing it", async () => {
  const cora = seedUser(server.db, { displayName: "Cora Curator" });
  const carl = seedUser(server.db, { displayName: "Carl Checker" });
  const w = await world([cora, carl], "race-bulletin");
  const ctxA = await newContext(browser.browser, server, cora);
  const ctxB = await newContext(browser.browser, server, carl);
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  await openCuration(a, w.documentId);
  await openCuration(b, w.documentId);
  const prompt = (page: Page) => page.locator("[data-already-decided]");
  const badge = (page: Page, n: number) =>
    page.locator(`[data-disagreement="${n}"]`).getAttribute("aria-label");

  // both look at the label mismatch; Cora accepts Ann's denial
  await a.locator('[data-disagreement="1"]').click();
  await b.locator('[data-disagreement="1"]').click();
  await expect.poll(() => panelTitle(b)).toBe("Disagreement 1 of 3");
  await a.getByRole("button", { name: /^Accept version \d: denial by Ann$/ }).click();
  await expect.poll(() => notice(a)).toBe("Accepted denial “Critics denied it” into gold.");
  // Carl's screen shows it resolved by Cora within 2 s, without a reload
  await expect
    .poll(() => badge(b, 1), { timeout: 2_000, interval: 50 })
    .toBe("Disagreement 1 of 3: label, resolved in gold");
  await expect
    .poll(() => b.locator("[data-gold-list] .hint").textContent())
    .toContain("accepted by Cora Curator");

  // Carl accepts Bob's claim: he is asked first, and nothing changes until he says so
  await b.getByRole("button", { name: /^Accept version \d: claim by Bob$/ }).click();
  await expect
    .poll(() => prompt(b).textContent())
    .toMatch(/Already decided by Cora Curator at .+ — replace\?/);
  expect((await goldProjection(w.documentId)).map((s) => s.labelId)).toEqual([w.label.denial]);
  await b.screenshot({ path: screenshotPath("curation-already-decided"), fullPage: true });
  await prompt(b).getByRole("button", { name: "Replace" }).click();
  await expect.poll(() => notice(b)).toBe("Accepted claim “Critics denied it” into gold.");
  expect(await prompt(b).count()).toBe(0);
  await expect.poll(() => goldLane(a), { timeout: 2_000, interval: 50 }).toEqual(["claim"]);
  expect((await goldProjection(w.documentId)).map((s) => s.labelId)).toEqual([w.label.claim]);

  // the boundary mismatch, both accepting a different version at the same moment: one is saved, the
  // other curator is told who decided first (by the server's compare-and-set), and gold holds one version
  await a.locator('[data-disagreement="2"]').click();
  await b.locator('[data-disagreement="2"]').click();
  await expect.poll(() => panelTitle(a)).toBe("Disagreement 2 of 3");
  await expect.poll(() => panelTitle(b)).toBe("Disagreement 2 of 3");
  const statuses: number[] = [];
  for (const page of [a, b])
    page.on("response", (r) => {
      if (r.url().includes("/curation/decisions")) statuses.push(r.status());
    });
  await Promise.all([
    a.getByRole("button", { name: /^Accept version \d: speculation by Ann$/ }).click(),
    b.getByRole("button", { name: /^Accept version \d: speculation by Bob$/ }).click(),
  ]);
  const settled = async (page: Page) =>
    (await prompt(page).count()) > 0 || (await notice(page))?.startsWith("Accepted speculation");
  await expect.poll(async () => (await settled(a)) && (await settled(b))).toBe(true);
  expect(statuses.sort()).toEqual([200, 409]); // the server refused the second one
  const prompted = [(await prompt(a).count()) > 0, (await prompt(b).count()) > 0];
  expect(prompted.filter(Boolean)).toHaveLength(1);
  const [loser, winnerName] = prompted[0] ? [a, "Carl Checker"] : [b, "Cora Curator"];
  expect(await prompt(loser).textContent()).toContain(`Already decided by ${winnerName}`);
  const speculation = (await goldProjection(w.documentId)).filter((s) => s.labelId === w.label.speculation);
  expect(speculation).toHaveLength(1);
  // "Keep theirs" drops the prompt; both screens show it resolved
  await prompt(loser).getByRole("button", { name: "Keep theirs" }).click();
  expect(await prompt(loser).count()).toBe(0);
  for (const page of [a, b])
    await expect.poll(() => badge(page, 2)).toBe("Disagreement 2 of 3: boundary, resolved in gold");
  expect(pageErrors(ctxA)).toEqual([]);
  expect(pageErrors(ctxB)).toEqual([]);
  await ctxA.close();
  await ctxB.close();
});

test("the project's curation page lists progress and leads to the next document to curate", async () => {
  const curator = seedUser(server.db, { displayName: "Cora Curator" });
  const w = await world([curator], "to-curate");
  const context = await newContext(browser.browser, server, curator);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${w.project.id}/curation`);
  const row = page.locator(`tr[data-document="${w.documentId}"]`);
  await row.waitFor();
  const api = await apiAs(server, curator).get<ProjectCurationDto>(`/api/projects/${w.project.id}/curation`);
  const mine = api.documents.find((d) => d.documentId === w.documentId)!;
  expect(await row.locator("td").allTextContents()).toEqual([
    "to-curate",
    "○ to do",
    `${mine.annotatedLayers} of ${mine.annotators} annotated`,
    String(mine.disagreements),
    String(mine.open),
    String(mine.goldSpans),
  ]);
  await page.screenshot({ path: screenshotPath("curation-progress"), fullPage: true });
  await page.getByRole("button", { name: "Next document to curate: to-curate" }).click();
  await page.waitForURL(`${server.url}/documents/${w.documentId}/curate`);
  await page.locator(".curation-workspace[data-view-ready]").waitFor();
  // the header links the project's curation pages
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Agreement", "Curation", "Export"]) await nav.getByRole("link", { name }).waitFor();
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("the project's curation page pages, searches and filters its documents on the server", async () => {
  const curator = seedUser(server.db, { displayName: "Page Curator" });
  const project = seedProject(server.db, { members: [{ user: curator, role: "curator" }] });
  server.db.transaction(() => {
    for (let i = 0; i < 130; i++)
      seedDocument(server.db, project.id, `Document number ${i}.`, {
        name: `doc-${String(i).padStart(3, "0")}`,
      });
  });
  const context = await newContext(browser.browser, server, curator);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${project.id}/curation`);
  const rows = page.locator("tr[data-document]");
  await expect.poll(() => rows.count()).toBe(100);
  const pager = page.locator(".pager .muted");
  await expect.poll(() => pager.textContent()).toBe("1–100 of 130");
  await page.getByRole("button", { name: "Following page of documents" }).click();
  await expect.poll(() => pager.textContent()).toBe("101–130 of 130");
  await expect.poll(() => rows.first().locator("td").first().textContent()).toBe("doc-100");
  // a search goes back to the first page and is answered by the server
  await page.getByRole("searchbox", { name: "Search" }).fill("doc-12");
  await expect
    .poll(() => rows.locator("td:first-child").allTextContents())
    .toEqual(Array.from({ length: 10 }, (_, i) => `doc-12${i}`));
  await page.getByRole("searchbox", { name: "Search" }).fill("");
  await page.getByRole("checkbox", { name: "with open disagreements" }).check();
  await page.getByText("No document matches.").waitFor();
  await page.screenshot({ path: screenshotPath("curation-progress-filtered"), fullPage: true });
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});
