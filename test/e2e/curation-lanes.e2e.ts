/**
 * The curation view's lanes and keys in the browser (issue 13, items 1–4), against a real server and the
 * live rooms:
 * (1) every span of every lane has a visible box, overlapping spans of one annotator included (a global
 *     rule once drew one of them 0 px tall);
 * (2) keys 1–9 name lanes (1 = the first lane, its number shown beside its name), not the panel's order of
 *     versions; accepting can step on to the next disagreement (a toggle that a reload remembers);
 * (3) "write my own" by selecting text in the lanes (word-snapped; Alt keeps the exact characters);
 * (4) an annotator who reopens their layer and changes it changes the curator's open view, live.
 */
import { userLayer } from "@gloss/shared";
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
  seedCurationWorld,
} from "../helpers/curationWorld";
import { apiAs, dragSelect, newContext, openDocument, pageErrors } from "../helpers/e2e";

useBrowserWorld();

/**
 * Ann has nested and overlapping spans of her own; the label mismatch lists Bob's claim first among its
 * versions (versions are in label order), Ann's denial second.
 */
const world = (name: string) =>
  seedCurationWorld(server, {
    name,
    ann: [
      ["The minister said taxes will rise", "attribution"],
      ["taxes will rise", "claim"], // inside her attribution
      ["said taxes", "speculation"], // overlaps both
      ["Critics denied it", "denial"],
      ["Prices may fall", "speculation"],
    ],
    bob: [
      ["taxes will rise", "claim"],
      ["Critics denied it", "claim"],
      ["Prices may fall", "speculation", 1], // with the full stop
    ],
  });
const openCuration = (page: Page, documentId: number) => openCurationOn(page, server, documentId);

/** Goes to a disagreement by its badge (1-based). */
async function goTo(page: Page, n: number) {
  await page.locator(`[data-disagreement="${n}"]`).click();
  await expect.poll(() => panelTitle(page)).toMatch(new RegExp(`^Disagreement ${n} of`));
}
/** A lane's spans as drawn, "label:text" in reading order (one per span: its first piece). */
const laneSpans = (page: Page, lane: string) =>
  page
    .locator(`[data-lane="${lane}"][data-first]`)
    .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-label")}:${e.getAttribute("data-text")}`));

/**
 * Drags the real mouse over the lane text from the character at UTF-16 offset `from` to the one ending at
 * `to` (both inside text the lanes show), with Alt held when `alt`.
 */
async function dragLaneText(page: Page, from: number, to: number, alt = false) {
  const points = await page.evaluate(
    ({ from, to }) => {
      const at = (offset: number, side: "start" | "end") => {
        for (const el of Array.from(document.querySelectorAll<HTMLElement>("[data-text-start]"))) {
          const start = Number(el.dataset.textStart);
          const end = Number(el.dataset.textEnd);
          const inside = side === "start" ? offset >= start && offset < end : offset > start && offset <= end;
          if (!inside || el.dataset.textShown !== "plain") continue;
          const node = el.firstChild as Text;
          const r = document.createRange();
          const i = offset - start;
          r.setStart(node, side === "start" ? i : i - 1);
          r.setEnd(node, side === "start" ? i + 1 : i);
          const b = r.getBoundingClientRect();
          return { x: side === "start" ? b.left + 1 : b.right - 1, y: b.top + b.height / 2 };
        }
        throw new Error(`no lane text at ${offset}`);
      };
      return { a: at(from, "start"), b: at(to, "end") };
    },
    { from, to },
  );
  if (alt) await page.keyboard.down("Alt");
  await page.mouse.move(points.a.x, points.a.y);
  await page.mouse.down();
  await page.mouse.move((points.a.x + points.b.x) / 2, points.b.y, { steps: 4 });
  await page.mouse.move(points.b.x, points.b.y, { steps: 4 });
  await page.mouse.up();
  if (alt) await page.keyboard.up("Alt");
}

test("every span of every lane has a visible box, overlapping spans of one annotator included", async () => {
  const w = await world("overlaps");
  const context = await newContext(browser.browser, server, w.curator);
  const page = await context.newPage();
  await openCuration(page, w.documentId);

  // every piece of every span in every lane has a box (a 0 px tall piece is a version no one can see)
  const boxes = await page.locator("[data-lane][data-label]").evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return {
        lane: e.getAttribute("data-lane"),
        label: e.getAttribute("data-label"),
        w: r.width,
        h: r.height,
      };
    }),
  );
  expect(boxes.length).toBeGreaterThan(10);
  expect(boxes.filter((b) => !(b.w > 0 && b.h > 0))).toEqual([]);
  // pieces of one lane's overlapping spans sit on separate tracks: the same height, one under the other
  const heights = new Set(boxes.map((b) => Math.round(b.h)));
  expect(heights.size).toBe(1);
  // Ann's five spans are all drawn, each where it starts, the nested and overlapping ones included
  expect(await laneSpans(page, userLayer(w.ann.id))).toEqual([
    "attribution:The minister said taxes will rise",
    "speculation:said taxes",
    "claim:taxes will rise",
    "denial:Critics denied it",
    "speculation:Prices may fall",
  ]);
  // the README's picture (docs/screenshots/curation.png is this one): 1280×800, the overlaps current
  await page.setViewportSize({ width: 1280, height: 800 });
  await goTo(page, 1);
  await page.screenshot({ path: screenshotPath("curation-1280") });
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("keys 1–9 accept the version of that lane; accepting can step to the next disagreement", async () => {
  const w = await world("keys");
  const context = await newContext(browser.browser, server, w.curator);
  const page = await context.newPage();
  await openCuration(page, w.documentId);

  // the lanes carry their key beside the annotator's name, in a fixed order (gold has none)
  expect(await page.getByRole("list", { name: "Lanes" }).getByRole("listitem").allTextContents()).toEqual([
    "1ANAnn (5)",
    "2BOBob (3)",
    "GGold (0)",
  ]);
  // the label mismatch: Bob's claim is the first version in the panel, but 1 is Ann's lane
  const labelItem = await page
    .locator("[data-disagreement]")
    .evaluateAll((els) => els.findIndex((e) => /label/.test(e.getAttribute("aria-label") ?? "")));
  await goTo(page, labelItem + 1);
  await page.keyboard.press("1");
  await expect.poll(() => notice(page)).toBe("Accepted denial “Critics denied it” into gold.");

  // auto-advance: off by default; on, an accept moves to the next open disagreement
  const toggle = page.getByRole("checkbox", { name: "Next disagreement after accepting" });
  expect(await toggle.isChecked()).toBe(false);
  await toggle.check();
  const boundary = await page
    .locator("[data-disagreement]")
    .evaluateAll((els) => els.findIndex((e) => /boundary/.test(e.getAttribute("aria-label") ?? "")));
  await goTo(page, boundary + 1);
  const before = await panelTitle(page);
  await page.keyboard.press("2"); // Bob's version, with the full stop
  await expect.poll(() => notice(page)).toBe("Accepted speculation “Prices may fall.” into gold.");
  await expect.poll(() => panelTitle(page)).not.toBe(before);
  await expect
    .poll(() => page.locator(`[data-disagreement="${boundary + 1}"]`).getAttribute("aria-label"))
    .toMatch(/boundary, resolved in gold$/);
  // the new current one is open
  expect(await page.locator('[data-disagreement][aria-pressed="true"]').getAttribute("aria-label")).toMatch(
    /, open$/,
  );
  // a lane with no version here: the key says so and changes nothing
  await page.keyboard.press("2");
  await expect.poll(() => notice(page)).toMatch(/^Bob has no version of disagreement \d+\.$/);
  await page.screenshot({ path: screenshotPath("curation-keys"), fullPage: true });

  // the toggle is remembered
  await openCuration(page, w.documentId);
  expect(await page.getByRole("checkbox", { name: "Next disagreement after accepting" }).isChecked()).toBe(
    true,
  );
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("write my own by selecting text in the lanes: word-snapped, Alt keeps the exact characters", async () => {
  const w = await world("select");
  const context = await newContext(browser.browser, server, w.curator);
  const page = await context.newPage();
  await openCuration(page, w.documentId);
  const label = await page
    .locator("[data-disagreement]")
    .evaluateAll((els) => els.findIndex((e) => /label/.test(e.getAttribute("aria-label") ?? "")));
  await goTo(page, label + 1);

  // from inside "Critics" to inside "denied": the form opens on the whole words
  await dragLaneText(page, at("Critics") + 3, at("denied") + 3);
  const edit = page.getByRole("form", { name: "Edit the gold version" });
  await expect.poll(() => edit.locator("q").first().textContent()).toBe("Critics denied");
  // the boundaries are filled in (code points: one fewer than UTF-16 after the emoji); typing stays possible
  expect(await edit.getByLabel("Start (character)").inputValue()).toBe(String(at("Critics") - 1));
  expect(await edit.getByLabel("End (character)").inputValue()).toBe(String(at("denied") + 6 - 1));

  // with Alt: exactly the characters dragged over
  await dragLaneText(page, at("Critics") + 3, at("denied") + 3, true);
  await expect.poll(() => edit.locator("q").first().textContent()).toBe("tics den");

  // plain text outside any span is the document too: select "say so" after the last span and save it
  await dragLaneText(page, at("say so") + 1, at("say so") + 5);
  await expect.poll(() => edit.locator("q").first().textContent()).toBe("say so");
  await edit.getByLabel("Label").selectOption({ label: "claim" });
  await page.screenshot({ path: screenshotPath("curation-select"), fullPage: true });
  await edit.getByRole("button", { name: "Save to gold" }).click();
  await expect.poll(() => notice(page)).toBe("Saved your version, claim “say so”, to gold.");
  await expect.poll(() => laneSpans(page, "gold")).toEqual(["claim:say so"]);
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});

test("an annotator reopens their layer and changes it: the curator's open view follows, live", async () => {
  const w = await world("reopen");
  // Ann is done; the curator starts
  await apiAs(server, w.ann).json(
    "PUT",
    `/api/documents/${w.documentId}/layers/${userLayer(w.ann.id)}/state`,
    {
      status: "done",
    },
  );
  const curatorCtx = await newContext(browser.browser, server, w.curator);
  const page = await curatorCtx.newPage();
  await openCuration(page, w.documentId);
  expect(await openCount(page)).toBe("3");
  const navigations: string[] = [];
  page.on("framenavigated", (f) => navigations.push(f.url()));

  // Ann reopens her layer in her editor and marks "Sources" as an attribution
  const annCtx = await newContext(browser.browser, server, w.ann);
  const annPage = await annCtx.newPage();
  await openDocument(annPage, server, w.documentId);
  await annPage.getByRole("button", { name: "✓ Done — reopen" }).click();
  await annPage.getByRole("button", { name: "Mark as done" }).waitFor();
  await dragSelect(annPage, "Sources");
  await annPage.keyboard.press("3");

  // the curator's view shows her new span and its disagreement without a reload
  const annLane = userLayer(w.ann.id);
  await expect
    .poll(() => laneSpans(page, annLane), { timeout: 5_000 })
    .toEqual([
      "attribution:The minister said taxes will rise",
      "speculation:said taxes",
      "claim:taxes will rise",
      "denial:Critics denied it",
      "speculation:Prices may fall",
      "attribution:Sources",
    ]);
  await expect.poll(() => openCount(page)).toBe("4");
  expect(navigations).toEqual([]);
  // the curator's presence is not shown to the annotator (the curator only watches her layer)
  expect(await annPage.getByText("Cora Curator is here").count()).toBe(0);
  expect(pageErrors(curatorCtx)).toEqual([]);
  expect(pageErrors(annCtx)).toEqual([]);
  await annCtx.close();
  await curatorCtx.close();
});
