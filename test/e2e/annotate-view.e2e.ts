/**
 * The annotation view, round two (issue 13, items 5–8): the tools stay in view on a long document, one
 * keyboard model after picking a span in the sidebar, label names above the spans and named remote
 * selections, and a notice when another person's concurrent edit of a span replaced yours.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import {
  connectionLabel,
  dragSelect,
  highlightedTexts,
  newContext,
  openDocument,
  pageErrors,
  projectedSpans,
  sidebarSpans,
} from "../helpers/e2e";
import { openAsEach, seededProse, seedSpans, seedTwoAnnotators } from "../helpers/e2eWorld";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

/** Whether the element's box lies wholly inside the window's viewport. */
const inViewport = (page: Page, selector: string) =>
  page.evaluate((selector) => {
    const el = document.querySelector(selector);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  }, selector);

const scrollState = (page: Page) =>
  page.evaluate(() => ({
    window: window.scrollY,
    text: document.querySelector(".gl-scroll")!.scrollTop,
  }));

test("a 300 KB document: after selecting a span far down, the inspector, the note field and the linking hint are in view, and only the text pane scrolled", async () => {
  const text = seededProse(300_000, 11, "The harbour bridge closed again, officials said.");
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, text, { assignTo: [ada] });
  const layer = `user-${ada.id}` as const;
  const [far] = await seedSpans(server, doc.id, layer, text, project, ada.id, [["harbour bridge", "claim"]]);

  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDocument(page, server, doc.id);
  // the page itself fits the window: nothing to scroll but the text
  expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);

  await page.locator(".span-item").click();
  await expect.poll(async () => (await highlightedTexts(page))[far!]).toBe("harbour bridge");
  await expect.poll(() => inViewport(page, '.gl-inspector[aria-label="Selected span"]')).toBe(true);
  const scrolled = await scrollState(page);
  expect(scrolled.window).toBe(0);
  expect(scrolled.text).toBeGreaterThan(10_000);

  // Enter on the span (clicked in the text) opens its note: the field is in view, the page did not move
  await page.locator(`.ProseMirror [data-span-id="${far}"]`).first().click();
  await page.keyboard.press("Enter");
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
  expect(await inViewport(page, ".gl-note-field textarea")).toBe(true);
  expect((await scrollState(page)).window).toBe(0);

  // Escape back to the text, Shift+R: the "Linking…" hint is in view
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+R");
  await expect.poll(() => inViewport(page, ".gl-inspector.gl-linking")).toBe(true);
  expect(await page.locator(".gl-inspector.gl-linking").textContent()).toContain("Linking from");
  expect((await scrollState(page)).window).toBe(0);
  await page.screenshot({ path: screenshotPath("annotate-long-tools-in-view") });
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("a span picked in the sidebar takes Delete, the boundary keys and the label keys", async () => {
  const text = "Officials said the bridge is safe.\nCritics deny it and say the repairs may take years.";
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, text, { assignTo: [ada] });
  const layer = `user-${ada.id}` as const;
  await seedSpans(server, doc.id, layer, text, project, ada.id, [
    ["Officials", "attribution"],
    ["the bridge", "claim"],
  ]);
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  await expect.poll(() => sidebarSpans(page)).toEqual(["attribution: Officials", "claim: the bridge"]);

  // Delete
  await page.getByRole("button", { name: "attribution: Officials" }).click();
  await page.keyboard.press("Delete");
  await expect.poll(() => sidebarSpans(page)).toEqual(["claim: the bridge"]);

  // a boundary key (Alt+Shift+→ moves the end one word on)
  await page.getByRole("button", { name: "claim: the bridge" }).click();
  await page.keyboard.press("Alt+Shift+ArrowRight");
  await expect.poll(() => sidebarSpans(page)).toEqual(["claim: the bridge is"]);

  // and a label key relabels it, without another click
  await page.keyboard.press("2");
  await expect.poll(() => sidebarSpans(page)).toEqual(["denial: the bridge is"]);
  await expect
    .poll(() => projectedSpans(server, doc.id, layer).map((s) => text.slice(s.start, s.end)))
    .toEqual(["the bridge is"]);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

/** The text of a pseudo-element's generated content ("" when none), quotes removed. */
const generated = (page: Page, selector: string, pseudo: "::before" | "::after") =>
  page.evaluate(
    ({ selector, pseudo }) => {
      const el = document.querySelector(selector);
      if (!el) return null;
      const c = getComputedStyle(el, pseudo).content;
      // "\"claim\"" / alternative text → claim
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(c);
      return m ? m[1]!.replace(/\\(.)/g, "$1") : c;
    },
    { selector, pseudo },
  );

/** The element drawn `dy` px above the first glyph of an element (pseudo-elements hit their owner). */
const elementAbove = (page: Page, selector: string, dy: number, dx = 3) =>
  page.evaluate(
    ({ selector, dy, dx }) => {
      const el = document.querySelector(selector)!;
      const r = el.getClientRects()[0]!;
      const hit = document.elementFromPoint(r.left + dx, r.top - dy);
      return hit === el || (hit !== null && el.contains(hit));
    },
    { selector, dy, dx },
  );

test("shared mode: label names above the spans (compact mode remembered), and a remote selection with its person's name and caret", async () => {
  const text =
    "Officials said the bridge is safe, according to a statement.\n" +
    "Critics deny it and say the repairs may take years.";
  const { ada, bob, project, doc } = seedTwoAnnotators(server, text);
  const [claimId, denialId] = await seedSpans(server, doc.id, "shared", text, project, ada.id, [
    ["the bridge is safe", "claim"],
    ["deny it", "denial"],
  ]);
  const {
    contexts: [ctxA, ctxB],
    pages: [pageA, pageB],
  } = await openAsEach(browser.browser, server, doc.id, [ada, bob], [{ width: 1280, height: 800 }]);

  // the label's name (and its author's initials) is written above the span's first word, readable
  const marker = `.ProseMirror [data-start-for="${claimId}"]`;
  await pageA.locator(marker).waitFor();
  expect(await generated(pageA, marker, "::before")).toBe("claim · AL");
  expect(
    await pageA.evaluate(
      (m) => Number.parseFloat(getComputedStyle(document.querySelector(m)!, "::before").fontSize),
      marker,
    ),
  ).toBeGreaterThanOrEqual(11);
  expect(await elementAbove(pageA, marker, 6)).toBe(true);
  expect(await generated(pageA, `.ProseMirror [data-start-for="${denialId}"]`, "::before")).toBe(
    "denial · AL",
  );

  // compact mode: the initial only; remembered on reload; and back
  const compact = pageA.getByRole("button", { name: "Compact labels" });
  await compact.click();
  expect(await compact.getAttribute("aria-pressed")).toBe("true");
  expect(await generated(pageA, marker, "::before")).toBe("C");
  await openDocument(pageA, server, doc.id);
  await pageA.locator(marker).waitFor();
  expect(await generated(pageA, marker, "::before")).toBe("C");
  await pageA.getByRole("button", { name: "Compact labels" }).click();
  expect(await generated(pageA, marker, "::before")).toBe("claim · AL");

  // Bob selects "the repairs": Ada sees his name at his selection, and a caret at its end
  await dragSelect(pageB, "the repairs");
  const remote = '.ProseMirror .gl-remote-end[data-remote-name="Bob Stone"]';
  await pageA.locator(remote).waitFor({ timeout: 5000 });
  expect(await generated(pageA, remote, "::before")).toBe("Bob Stone");
  const caret = await pageA.evaluate((r) => {
    const s = getComputedStyle(document.querySelector(r)!, "::after");
    return { width: Number.parseFloat(s.width), color: s.backgroundColor };
  }, remote);
  expect(caret.width).toBeGreaterThanOrEqual(2);
  expect(caret.color).not.toBe("rgba(0, 0, 0, 0)");
  // (the selection is published while the drag goes on: wait for the whole of it)
  const remoteText = () =>
    pageA.evaluate(() =>
      Array.from(document.querySelectorAll(".ProseMirror .gl-remote"))
        .map((e) => e.textContent)
        .join(""),
    );
  await expect.poll(remoteText).toBe("the repairs");
  expect(await pageA.locator(remote).textContent()).toBe("s");
  // the name flag is drawn above the selection's end
  expect(
    await pageA.evaluate((r) => {
      const el = document.querySelector(r)!;
      const rects = el.getClientRects();
      const last = rects[rects.length - 1]!;
      const hit = document.elementFromPoint(last.right + 6, last.top - 6);
      return hit === el || (hit !== null && el.contains(hit));
    }, remote),
  ).toBe(true);
  await pageA.screenshot({ path: screenshotPath("annotate-label-names") });
  expect(pageErrors(ctxA)).toEqual([]);
  expect(pageErrors(ctxB)).toEqual([]);
  await Promise.all([ctxA.close(), ctxB.close()]);
});

test("shared mode, two browsers: when the other person's concurrent edit of a span won, the loser is told who changed what", async () => {
  const text = "Officials said the bridge is safe, according to a statement.";
  const { ada, bob, project, doc } = seedTwoAnnotators(server, text);
  const [id] = await seedSpans(server, doc.id, "shared", text, project, ada.id, [
    ["the bridge is safe", "claim"],
  ]);
  const {
    contexts: [ctxA, ctxB],
    pages: [pageA, pageB],
  } = await openAsEach(browser.browser, server, doc.id, [ada, bob]);
  await expect.poll(() => pageA.locator(".presence li").allTextContents()).toEqual(["BSBob Stone is here"]);
  await expect
    .poll(() => pageB.locator(".presence li").allTextContents())
    .toEqual(["ALAda Lovelace is here"]);

  // Both select the span, then relabel it while neither can see the other's change (both offline).
  for (const page of [pageA, pageB]) {
    await page.locator(`.ProseMirror [data-span-id="${id}"]`).first().click();
    await expect
      .poll(() => page.locator('.gl-inspector[aria-label="Selected span"] strong').textContent())
      .toBe("claim");
  }
  await Promise.all([ctxA.setOffline(true), ctxB.setOffline(true)]);
  await expect.poll(() => connectionLabel(pageA)).toBe("Offline");
  await expect.poll(() => connectionLabel(pageB)).toBe("Offline");
  await pageA.keyboard.press("2"); // Ada: denial
  await pageB.keyboard.press("4"); // Bob: speculation
  await expect.poll(() => sidebarSpans(pageA)).toEqual(["denial: the bridge is safe, by Ada Lovelace"]);
  await expect.poll(() => sidebarSpans(pageB)).toEqual(["speculation: the bridge is safe, by Ada Lovelace"]);
  await Promise.all([ctxA.setOffline(false), ctxB.setOffline(false)]);

  // Yjs keeps one of the two; both browsers converge on it
  await expect
    .poll(() => projectedSpans(server, doc.id, "shared").map((s) => s.labelId), { timeout: 10_000 })
    .not.toEqual([project.labels.find((l) => l.name === "claim")!.id]);
  await expect
    .poll(
      async () => {
        const [a, b] = await Promise.all([sidebarSpans(pageA), sidebarSpans(pageB)]);
        return a.length === 1 && a[0] === b[0] ? a[0] : null;
      },
      { timeout: 10_000 },
    )
    .not.toBeNull();
  const [final] = await sidebarSpans(pageA);
  const adaWon = final!.startsWith("denial");
  const [loser, winner, winnerName, mine, theirs] = adaWon
    ? [pageB, pageA, "Ada Lovelace", "speculation", "denial"]
    : [pageA, pageB, "Bob Stone", "denial", "speculation"];

  const notice = loser.locator(".gl-notice");
  await notice.waitFor({ timeout: 5000 });
  const said = (await notice.textContent()) ?? "";
  expect(said).toContain(winnerName);
  expect(said).toContain(theirs);
  expect(said).toContain(mine);
  expect(said).toContain("the bridge is safe");
  expect(await inViewport(loser, ".gl-notice")).toBe(true);
  // the person whose edit was kept is not told anything
  expect(await winner.locator(".gl-notice").count()).toBe(0);
  await loser.screenshot({ path: screenshotPath("annotate-concurrent-notice") });
  // "Keep mine" puts the loser's version back, for both; that later edit is no conflict for anyone
  await loser.getByRole("button", { name: "Keep mine" }).click();
  expect(await loser.locator(".gl-notice").count()).toBe(0);
  const restored = [`${mine}: the bridge is safe, by Ada Lovelace`];
  await expect.poll(() => sidebarSpans(loser)).toEqual(restored);
  await expect.poll(() => sidebarSpans(winner)).toEqual(restored);
  await expect
    .poll(() => projectedSpans(server, doc.id, "shared").map((s) => s.labelId))
    .toEqual([project.labels.find((l) => l.name === mine)!.id]);
  expect(await winner.locator(".gl-notice").count()).toBe(0);
  expect(pageErrors(ctxA)).toEqual([]);
  expect(pageErrors(ctxB)).toEqual([]);
  await Promise.all([ctxA.close(), ctxB.close()]);
});

// The README's screenshot: two annotators in shared mode on the opening of a corpus article. Written to
// docs/screenshots/ when GLOSS_README_SCREENSHOTS=1, to test-results/ otherwise.
const ARTICLE =
  "ISIS supporters in Gaza\nISIS supporters in GazaReuters\n\n" +
  "Members of the Islamic State (ISIS) jihadist group have recently entered Gaza through tunnels from Egypt to undergo military training in the Hamas-ruled enclave, the Coordinator of Government Activities in the Territories, Maj. Gen. Yoav Mordechai, said Friday.\n\n" +
  "Speaking to the Saudi news site Elaph and quoted by Haaretz, Mordechai said the ISIS members entered Gaza a few days ago with the support of a well-connected Hamas affiliate in the city of Rafah, adding that Hamas is helping the ISIS fighters receive medical care in Gaza's hospitals.\n\n" +
  "According to the Israeli general, the operatives used ties with Sayid Abed El Aal, who is close to Hamas and holds sway in the border town of Rafah. Mordechai explained that Hamas' field commanders were informed, and its top military and political leaders were updated on the issue.\n\n" +
  "Mordechai’s comments come just after Egypt reopened the Rafah crossing between Gaza and Sinai on Wednesday and Thursday for the first time in three months.";

test("screenshot: two annotators, shared mode, label names above the spans (1280×800)", async () => {
  const { ada, bob, project, doc } = seedTwoAnnotators(server, ARTICLE, {
    projectName: "Gaza tunnels",
    documentName: "000_3435766a64c56a35",
  });
  await seedSpans(server, doc.id, "shared", ARTICLE, project, ada.id, [
    ["have recently entered Gaza through tunnels from Egypt", "claim"],
    ["the Coordinator of Government Activities in the Territories, Maj. Gen. Yoav Mordechai", "attribution"],
    ["Hamas is helping the ISIS fighters receive medical care", "claim"],
  ]);
  await seedSpans(server, doc.id, "shared", ARTICLE, project, bob.id, [
    ["to undergo military training", "speculation"],
    ["Mordechai said", "attribution"],
  ]);
  const {
    contexts: [ctxA, ctxB],
    pages: [pageA, pageB],
  } = await openAsEach(
    browser.browser,
    server,
    doc.id,
    [ada, bob],
    [undefined, { width: 1280, height: 800 }],
  );
  // Ada selects words Bob sees with her name; Bob has a span selected (the inspector at the right)
  await dragSelect(pageA, "well-connected Hamas affiliate");
  await pageB.locator('.ProseMirror .gl-remote-end[data-remote-name="Ada Lovelace"]').waitFor();
  await expect
    .poll(() =>
      pageB.evaluate(() =>
        Array.from(document.querySelectorAll(".ProseMirror .gl-remote"))
          .map((e) => e.textContent)
          .join(""),
      ),
    )
    .toBe("well-connected Hamas affiliate");
  await pageB.getByRole("button", { name: /^speculation: to undergo/ }).click();
  await pageB.locator('.gl-inspector[aria-label="Selected span"]').waitFor();
  await pageB.mouse.move(0, 0);
  const path =
    process.env.GLOSS_README_SCREENSHOTS === "1"
      ? new URL("../../docs/screenshots/annotate-shared.png", import.meta.url).pathname
      : screenshotPath("annotate-shared");
  await pageB.screenshot({ path });
  expect(pageErrors(ctxA)).toEqual([]);
  expect(pageErrors(ctxB)).toEqual([]);
  await Promise.all([ctxA.close(), ctxB.close()]);
});
