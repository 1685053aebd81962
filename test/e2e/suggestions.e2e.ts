/**
 * Suggestions in the workbench (issue 14), in real Chromium against a real server and SQLite: a manager
 * enables the built-in string matcher in Settings; an annotator (independent mode) who labelled "the
 * minister" as a claim in another document sees it proposed again here as dashed ghost spans, accepts one
 * with Enter (the span lands in their own layer, saying it came from a model) and rejects the other with X
 * (gone, and still gone after a reload).
 */
import type { SuggestionListDto } from "@gloss/shared";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { apiAs, newContext, openDocument, pageErrors, projectedSpans, sidebarSpans } from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

const ghosts = (page: Page) =>
  page.locator(".gl-suggestion").evaluateAll((els) =>
    els.map((e) => ({
      text: e.textContent,
      title: e.getAttribute("title"),
      selected: e.classList.contains("gl-suggestion-selected"),
      // a ghost is never drawn as a real span: no span decoration, a dashed outline, no fill
      realSpan: !!e.closest(".gl-span") || e.hasAttribute("data-span-id"),
      outline: getComputedStyle(e).outlineStyle,
      fill: getComputedStyle(e).backgroundColor,
    })),
  );

test("a manager enables string matching; the annotator accepts one ghost suggestion with Enter and rejects another with X", async () => {
  const mia = seedUser(server.db, { displayName: "Mia" });
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, {
    mode: "independent",
    members: [
      { user: mia, role: "manager" },
      { user: ada, role: "annotator" },
    ],
  });
  const earlier = seedDocument(server.db, project.id, "Officials said the minister lied.", {
    assignTo: [ada],
  });
  const text = "Yesterday the minister spoke. Later the minister left the room.";
  const doc = seedDocument(server.db, project.id, text, { assignTo: [ada] });
  // Ada's own earlier work: "the minister" labelled claim in another document
  await apiAs(server, ada).json(
    "POST",
    `/api/documents/${earlier.id}/layers/user-${ada.id}/spans`,
    { start: 15, end: 27, label: "claim" },
    201,
  );

  // the manager adds and enables the built-in string matcher in Settings → Suggestions
  const managerCtx = await newContext(browser.browser, server, mia);
  const settings = await managerCtx.newPage();
  await settings.goto(`${server.url}/projects/${project.id}/settings#suggestions`);
  const form = settings.getByRole("form", { name: "New recommender" });
  await form.getByLabel("Name").fill("strings");
  await form.getByRole("button", { name: "Add recommender" }).click();
  const row = settings.getByRole("list", { name: "Recommenders" }).getByRole("listitem");
  await expect.poll(() => row.textContent()).toContain("strings");
  await expect.poll(() => row.getByLabel("Enabled").isChecked()).toBe(true);
  await row.getByRole("button", { name: "Show quality" }).click();
  await expect.poll(() => row.getByRole("table").count()).toBe(1);
  expect(await row.getByRole("columnheader").allTextContents()).toEqual([
    "Label",
    "Precision",
    "Recall",
    "F1",
  ]);
  // a Label Studio ML backend by its URL, then disabled again (nobody runs one here)
  await form.getByLabel("Kind").selectOption({ label: "Label Studio ML backend" });
  await form.getByLabel("Name").fill("ls");
  await form.getByLabel("Backend URL").fill("http://127.0.0.1:9/ml");
  await form.getByRole("button", { name: "Add recommender" }).click();
  const lsRow = row.filter({ hasText: "Label Studio ML backend" });
  await expect.poll(() => lsRow.textContent()).toContain("http://127.0.0.1:9/ml");
  await lsRow.getByLabel("Enabled").click();
  await expect.poll(() => lsRow.getByLabel("Enabled").isChecked()).toBe(false);
  const recommenders = () =>
    apiAs(server, mia).get<{ recommenders: Array<{ name: string; kind: string; enabled: boolean }> }>(
      `/api/projects/${project.id}/recommenders`,
    );
  await expect
    .poll(async () => (await recommenders()).recommenders.map((r) => [r.name, r.kind, r.enabled]))
    .toEqual([
      ["strings", "string-match", true],
      ["ls", "label-studio-ml", false],
    ]);

  // the annotator opens the document: two ghost suggestions, never drawn as spans
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  await expect.poll(async () => (await ghosts(page)).length, { timeout: 10_000 }).toBe(2);
  for (const g of await ghosts(page)) {
    expect(g).toMatchObject({ text: "the minister", selected: false, realSpan: false, outline: "dashed" });
    expect(g.title).toMatch(/^suggested claim, score 100 % — strings$/);
    expect(g.fill).toBe("rgba(0, 0, 0, 0)");
  }
  expect(await sidebarSpans(page)).toEqual([]);
  const listed = page.getByRole("list", { name: "Suggestions in reading order" }).getByRole("listitem");
  expect(await listed.count()).toBe(2);

  // Shift+S selects the first suggestion, Enter accepts it into Ada's own layer
  await page.locator(".ProseMirror").focus();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Shift+S");
  await expect.poll(async () => (await ghosts(page)).map((g) => g.selected)).toEqual([true, false]);
  await page.keyboard.press("Enter");
  await expect
    .poll(() => sidebarSpans(page))
    .toEqual(["claim: the minister (accepted suggestion from strings)"]);
  await expect.poll(async () => (await ghosts(page)).length).toBe(1);
  const layer = `user-${ada.id}`;
  const claim = project.labels.find((l) => l.name === "claim")!;
  await expect
    .poll(() => projectedSpans(server, doc.id, layer).map((s) => [s.start, s.end, s.labelId, s.author]))
    .toEqual([[10, 22, claim.id, ada.id]]);
  const extra = server.db.$client
    .prepare("SELECT extra FROM annotations WHERE document_id = ? AND layer = ?")
    .get(doc.id, layer) as { extra: string };
  expect(extra.extra).toContain('"via":"suggestion"');

  // the next suggestion, rejected with X: gone, and not proposed again
  await page.keyboard.press("Shift+S");
  await expect.poll(async () => (await ghosts(page)).map((g) => g.selected)).toEqual([true]);
  await page.keyboard.press("x");
  await expect.poll(async () => (await ghosts(page)).length).toBe(0);
  await expect
    .poll(
      async () =>
        (await apiAs(server, ada).get<SuggestionListDto>(`/api/documents/${doc.id}/suggestions`)).suggestions
          .length,
    )
    .toBe(0);

  await page.reload();
  await openDocument(page, server, doc.id);
  await expect.poll(() => page.getByText("No suggestions for this document.").count()).toBe(1);
  expect(await ghosts(page)).toEqual([]);
  expect(await sidebarSpans(page)).toEqual(["claim: the minister (accepted suggestion from strings)"]);
  // the accepted span is a span (its underline), the text shows no ghost over it
  expect(await page.locator(".gl-span").count()).toBeGreaterThan(0);
  expect(pageErrors(ctx)).toEqual([]);
  expect(pageErrors(managerCtx)).toEqual([]);
  await ctx.close();
  await managerCtx.close();
});

test("suggestions hide and show per recommender, and 'accept all' takes a label's suggestions above a score", async () => {
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const earlier = seedDocument(server.db, project.id, "The bridge is safe.", { assignTo: [ada] });
  const doc = seedDocument(server.db, project.id, "A bridge, then the bridge, then a bridge.", {
    assignTo: [ada],
  });
  const api = apiAs(server, ada);
  await api.json(
    "POST",
    `/api/documents/${earlier.id}/layers/user-${ada.id}/spans`,
    { start: 4, end: 10, label: "claim" },
    201,
  );
  // the project's recommender, added through the API by an instance admin (Settings is the first test's)
  const admin = seedUser(server.db, { admin: true });
  await apiAs(server, admin).json(
    "POST",
    `/api/projects/${project.id}/recommenders`,
    { name: "words", kind: "string-match" },
    201,
  );
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  await expect.poll(async () => (await ghosts(page)).length, { timeout: 10_000 }).toBe(3);

  const show = page.getByRole("group", { name: "Show suggestions from" }).getByLabel("words");
  await show.uncheck();
  await expect.poll(async () => (await ghosts(page)).length).toBe(0);
  await show.check();
  await expect.poll(async () => (await ghosts(page)).length).toBe(3);
  // a click on a ghost span selects that suggestion (a real mouse click at its centre: Playwright's own
  // actionability check takes the line for the target, which the browser's hit test does not)
  const box = (await page.locator(".gl-suggestion").nth(1).boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect.poll(async () => (await ghosts(page)).map((g) => g.selected)).toEqual([false, true, false]);
  await page.keyboard.press("Escape");
  await expect.poll(async () => (await ghosts(page)).map((g) => g.selected)).toEqual([false, false, false]);

  const form = page.getByRole("form", { name: "Accept all suggestions above a score" });
  await form.getByLabel("Accept all").selectOption({ label: "claim" });
  await form.getByLabel("scoring at least").fill("0.5");
  await form.getByRole("button", { name: "Accept" }).click();
  await expect.poll(() => page.getByText("Accepted 3 suggestions.").count()).toBe(1);
  await expect
    .poll(() => sidebarSpans(page))
    .toEqual([
      "claim: bridge (accepted suggestion from words)",
      "claim: bridge (accepted suggestion from words)",
      "claim: bridge (accepted suggestion from words)",
    ]);
  await expect.poll(async () => (await ghosts(page)).length).toBe(0);
  expect(projectedSpans(server, doc.id, `user-${ada.id}`).map((s) => [s.start, s.end])).toEqual([
    [2, 8],
    [19, 25],
    [34, 40],
  ]);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});
