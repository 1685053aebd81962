/**
 * The agreement page against a real server: two annotators labelled three documents; the page
 * draws the heat map of the pair and the per-label bars, and every value it prints is the API's figure.
 * Switching the heat map's metric redraws it; the most disputed document links into its curation view.
 */
import { type AgreementReport, addSpan, type LayerContext, userLayer } from "@gloss/shared";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { apiAs, newContext, pageErrors } from "../helpers/e2e";
import { type SeededUser, seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

/** The page's number format: three decimals, a true minus sign, "—" for null. */
const fmt = (v: number | null) => {
  if (v === null) return "n/a";
  const s = v.toFixed(3);
  return Number(s) === 0 ? (0).toFixed(3) : s.replace("-", "−");
};

/** Writes spans given by the text they cover (first occurrence) into a user's layer. */
async function annotate(
  text: string,
  documentId: number,
  user: SeededUser,
  ctx: LayerContext,
  spans: Array<[string, number] | [string, number, number]>,
) {
  await server.deps.collab.withDoc(documentId, userLayer(user.id), (doc) => {
    for (const [needle, label, extra = 0] of spans) {
      const start = text.indexOf(needle);
      if (start < 0) throw new Error(`${needle} not in text`);
      addSpan(doc, { start, end: start + needle.length + extra, label, author: user.id }, ctx);
    }
  });
}

async function heatCells(page: Page) {
  return page.locator(".heat-cell").evaluateAll((els) =>
    els.map((e) => ({
      a: e.getAttribute("data-a"),
      b: e.getAttribute("data-b"),
      text: e.querySelector("text")?.textContent ?? "",
      name: e.getAttribute("aria-label") ?? "",
    })),
  );
}

test("the agreement page draws the pair heat map and per-label bars with the API's values", async () => {
  const manager = seedUser(server.db, { displayName: "Mia Manager" });
  const ann = seedUser(server.db, { displayName: "Ann" });
  const bob = seedUser(server.db, { displayName: "Bob" });
  const cy = seedUser(server.db, { displayName: "Cy" });
  const project = seedProject(server.db, {
    name: "Five articles",
    members: [
      { user: manager, role: "manager" },
      { user: ann, role: "annotator" },
      { user: bob, role: "annotator" },
      { user: cy, role: "annotator" },
    ],
  });
  const id = (name: string) => project.labels.find((l) => l.name === name)!.id;
  const [claim, denial, attribution, speculation] = ["claim", "denial", "attribution", "speculation"].map(
    id,
  ) as [number, number, number, number];
  const texts = [
    "The minister said taxes will rise. Critics denied it. Prices may fall.",
    "Officials claimed the bridge is safe. Engineers disputed that. Repairs might start soon.",
    "The mayor said the park will open. Nobody denied it.",
  ];
  const docs = texts.map((t, i) =>
    seedDocument(server.db, project.id, t, { name: `article-${i + 1}`, assignTo: [ann, bob] }),
  );
  const ctx = (text: string): LayerContext => ({
    text,
    labelIds: new Set([claim, denial, attribution, speculation]),
  });
  // article 1: agreed claim, a label mismatch (denial vs claim), a boundary mismatch on speculation
  await annotate(texts[0]!, docs[0]!.id, ann, ctx(texts[0]!), [
    ["taxes will rise", claim],
    ["The minister said", attribution],
    ["Critics denied it", denial],
    ["Prices may fall", speculation],
  ]);
  await annotate(texts[0]!, docs[0]!.id, bob, ctx(texts[0]!), [
    ["taxes will rise", claim],
    ["Critics denied it", claim],
    ["Prices may fall", speculation, 1],
  ]);
  // a third annotator did article 1 only, and saw speculation where the others saw a denial
  await annotate(texts[0]!, docs[0]!.id, cy, ctx(texts[0]!), [
    ["taxes will rise", claim],
    ["Critics denied it", speculation],
  ]);
  // article 2: mostly agreed
  await annotate(texts[1]!, docs[1]!.id, ann, ctx(texts[1]!), [
    ["the bridge is safe", claim],
    ["Engineers disputed that", denial],
    ["Repairs might start soon", speculation],
  ]);
  await annotate(texts[1]!, docs[1]!.id, bob, ctx(texts[1]!), [
    ["the bridge is safe", claim],
    ["Engineers disputed that", denial],
    ["Repairs might start soon", speculation],
  ]);
  // article 3: identical
  for (const u of [ann, bob])
    await annotate(texts[2]!, docs[2]!.id, u, ctx(texts[2]!), [
      ["the park will open", claim],
      ["Nobody denied it", denial],
    ]);
  await server.deps.collab.flush();

  const report = await apiAs(server, manager).get<AgreementReport>(`/api/projects/${project.id}/agreement`);
  expect(report.perPair).toHaveLength(3);
  const pairOf = (a: string | null, b: string | null) =>
    report.perPair.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a))!;
  const names = new Map<string, string>([
    [userLayer(ann.id), "Ann"],
    [userLayer(bob.id), "Bob"],
    [userLayer(cy.id), "Cy"],
  ]);

  const context = await newContext(browser.browser, server, manager);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${project.id}/agreement`);
  await page.getByRole("heading", { name: "Agreement", level: 1 }).waitFor();
  await page.locator(".heat-cell").first().waitFor();

  // the heat map: one cell per ordered pair (3 × 2), each printing the pair's exact-match F1 and named
  // by the two annotators with the counts the figure stands on
  const cells = await heatCells(page);
  expect(cells).toHaveLength(6);
  for (const c of cells) {
    const pair = pairOf(c.a, c.b);
    expect(c.text).toBe(fmt(pair.f1Exact.value));
    expect(c.name.startsWith(`${names.get(c.a!)} and ${names.get(c.b!)}: F1 exact `)).toBe(true);
    expect(c.name).toContain(`matches ${pair.f1Exact.tp}`);
  }
  // the overall cards print the API's figures
  const card = (key: string) => page.locator(`.figure-card[data-figure="${key}"]`);
  expect(await card("f1Exact").locator(".figure-value").textContent()).toBe(
    fmt(report.overall.f1Exact.value),
  );
  expect(await card("krippendorffAlpha").locator(".figure-value").textContent()).toBe(
    fmt(report.overall.krippendorffAlpha.value),
  );
  expect(await card("unitizingAlpha").locator(".figure-value").textContent()).toBe(
    fmt(report.overall.unitizingAlpha.value),
  );

  // per-label bars: three metrics per label, each printing the API's value
  for (const l of report.perLabel) {
    const group = page.locator(`.bar-group[data-label="${l.name}"]`);
    const bars = await group
      .locator(".bar")
      .evaluateAll((els) =>
        els.map((e) => [
          e.getAttribute("data-metric"),
          e.querySelector(".bar-value, .not-computable")?.textContent,
        ]),
      );
    const expected = (f: { value: number | null; reason?: string }) =>
      f.value === null ? expect.stringMatching(/^not computable/) : fmt(f.value);
    expect(bars).toEqual([
      ["F1 exact", expected(l.f1Exact)],
      ["F1 overlap", expected(l.f1Overlap)],
      ["α_U", expected(l.unitizingAlpha)],
    ]);
  }
  // the label confusion lists the API's top mismatches, claim/denial among them
  const mismatches = await page.locator(".mismatch-list li").allTextContents();
  expect(mismatches).toEqual(
    report.confusion.top
      .slice(0, 5)
      .map((m) => `${m.a} ↔ ${m.b}: ${m.count} overlapping span pair${m.count === 1 ? "" : "s"}`),
  );
  expect(mismatches.some((m) => m.startsWith("claim ↔ denial"))).toBe(true);

  // another metric redraws the cells with that metric's values
  await page.getByLabel("Colour by").selectOption({ label: "Cohen's κ" });
  await expect.poll(async () => (await heatCells(page))[0]?.name).toContain("Cohen's κ");
  for (const c of await heatCells(page)) expect(c.text).toBe(fmt(pairOf(c.a, c.b).cohenKappa.value));
  await page.screenshot({ path: screenshotPath("agreement-page"), fullPage: true });

  // a filter reloads the report from the server: only claims
  await page.getByRole("form", { name: "Agreement filters" }).getByLabel("claim").check();
  await expect.poll(() => page.locator(".bar-group").count()).toBe(1);
  const claimsOnly = await apiAs(server, manager).get<AgreementReport>(
    `/api/projects/${project.id}/agreement?labels=${claim}`,
  );
  await expect
    .poll(async () => card("f1Exact").locator(".figure-value").textContent())
    .toBe(fmt(claimsOnly.overall.f1Exact.value));

  // the most disputed document comes first and links into curation
  const first = page.locator(".doc-ranking tbody tr").first();
  expect(await first.getAttribute("data-document")).toBe(String(claimsOnly.perDocument[0]!.documentId));
  await page.getByRole("form", { name: "Agreement filters" }).getByLabel("claim").uncheck();
  await expect
    .poll(() => page.locator(".doc-ranking tbody tr").first().getAttribute("data-document"))
    .toBe(String(docs[0]!.id));
  // the document table is searched and sorted by the server
  const table = page.getByRole("search", { name: "Search the compared documents" });
  const rowNames = () => page.locator(".doc-ranking tbody tr td:first-child a").allTextContents();
  const all = await rowNames();
  await table.getByLabel("Sort by").selectOption("name");
  await expect.poll(rowNames).toEqual([...all].sort());
  await table.getByRole("searchbox", { name: "Search" }).fill("article-2");
  await expect.poll(rowNames).toEqual(all.filter((n) => n.includes("article-2")));
  await table.getByRole("searchbox", { name: "Search" }).fill("");
  await table.getByLabel("Sort by").selectOption("disagreement");
  await expect.poll(rowNames).toEqual(all);
  await page.locator(".doc-ranking tbody tr").first().getByRole("link", { name: "article-1" }).click();
  await page.waitForURL(`${server.url}/documents/${docs[0]!.id}/curate`);
  await page.getByRole("heading", { name: "article-1", level: 1 }).waitFor();
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});
