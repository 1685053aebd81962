/**
 * Layout at 1024×768 (issue 13 item 14): on the curation page the connection badge never overlaps the
 * title (a long file name included), and the keyboard-help dialog fits in the window and scrolls.
 */
import type { Locator, Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { connectionLabel, newContext, openDocument, pageErrors } from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

const SMALL = { width: 1024, height: 768 };
const TEXT = "Officials said the bridge is safe. Critics denied it.";
/** A file name with no place to break a line (underscores are not one). */
const LONG_NAME = "guardian_2024_03_14_baltimore_key_bridge_collapse_live_coverage_part_02.txt";
/** A document longer than the window: the editor pane grows with it. */
const LONG_TEXT = Array.from({ length: 80 }, (_, i) => `Paragraph ${i + 1}: ${TEXT}`).join("\n");

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error("not laid out");
  return b;
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The boxes of the title's text (its line boxes), which overflow the heading's box when it cannot wrap. */
const titleTextBox = (page: Page) =>
  page.locator(".workspace-bar h1").evaluate((h) => {
    const range = document.createRange();
    range.selectNodeContents(h);
    const r = range.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  });

test("1024×768: the connection badge stays clear of the curation page's title", async () => {
  const cara = seedUser(server.db, { displayName: "Cara" });
  const project = seedProject(server.db, { members: [{ user: cara, role: "curator" }] });
  const doc = seedDocument(server.db, project.id, TEXT, { name: LONG_NAME, assignTo: [cara] });
  const ctx = await newContext(browser.browser, server, cara);
  const page = await ctx.newPage();
  await page.setViewportSize(SMALL);
  await page.goto(`${server.url}/documents/${doc.id}/curate`);
  await expect.poll(() => connectionLabel(page), { timeout: 10_000 }).toBe("Connected");
  const badge = await box(page.locator(".workspace-bar .connection"));
  const title = await titleTextBox(page);
  await page.screenshot({ path: screenshotPath("layout-curation-1024") });
  expect(overlaps(badge, title), JSON.stringify({ badge, title })).toBe(false);
  // nothing of the bar runs out of the window sideways
  expect(title.x + title.width).toBeLessThanOrEqual(SMALL.width);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("1024×768: the keyboard-help dialog fits in the window and scrolls to its last shortcut", async () => {
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, LONG_TEXT, { assignTo: [ada] });
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await page.setViewportSize(SMALL);
  await openDocument(page, server, doc.id);
  await page.locator(".ProseMirror p").first().click();
  await page.keyboard.press("?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await dialog.waitFor();
  const b = await box(dialog);
  expect(b.y).toBeGreaterThanOrEqual(0);
  expect(b.y + b.height, "the dialog ends inside the window").toBeLessThanOrEqual(SMALL.height);
  // it has more than fits: it scrolls, and its last row can be brought into view inside it
  const sizes = await dialog.evaluate((d) => ({ scroll: d.scrollHeight, client: d.clientHeight }));
  expect(sizes.scroll).toBeGreaterThan(sizes.client);
  const last = dialog.locator("tr").last();
  await dialog.evaluate((d) => {
    d.scrollTop = d.scrollHeight;
  });
  const lastBox = await box(last);
  expect(lastBox.y + lastBox.height).toBeLessThanOrEqual(b.y + b.height + 1);
  expect(lastBox.y).toBeGreaterThanOrEqual(b.y);
  await page.screenshot({ path: screenshotPath("layout-help-1024") });
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});
