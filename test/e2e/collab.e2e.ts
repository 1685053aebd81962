/**
 * Live collaboration in the browser: two people in a shared layer, blind independent layers, a span that
 * survives a reload, and offline work that reaches the server when the connection returns.
 */
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import {
  connectionLabel,
  dragSelect,
  highlightedTexts,
  indexedDbUpdates,
  newContext,
  openDocument,
  pageErrors,
  projectedSpans,
  sidebarSpans,
} from "../helpers/e2e";
import { openAsEach, seedTwoAnnotators } from "../helpers/e2eWorld";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

const TEXT =
  "Officials said the bridge is safe, according to a statement.\n" +
  "Critics deny it and say the repairs may take years.\n\n" +
  "The ministry might reopen the road next week.";

useBrowserWorld();

const span = (part: string) => ({ start: TEXT.indexOf(part), end: TEXT.indexOf(part) + part.length });

test("shared mode: a span labelled by one annotator appears for the other within 2 s, with presence", async () => {
  const { ada, bob, doc } = seedTwoAnnotators(server, TEXT);
  const {
    contexts: [ctxA, ctxB],
    pages: [pageA, pageB],
  } = await openAsEach(browser.browser, server, doc.id, [ada, bob]);

  // each sees the other in the presence row
  const presence = (page: typeof pageA) => page.locator(".presence li").allTextContents();
  await expect.poll(() => presence(pageB)).toEqual(["ALAda Lovelace is here"]);
  await expect.poll(() => presence(pageA)).toEqual(["BSBob Stone is here"]);

  await dragSelect(pageA, "the bridge is safe");
  await pageA.keyboard.press("1");
  const labelledAt = Date.now();
  await expect
    .poll(() => sidebarSpans(pageB), { timeout: 2000, interval: 25 })
    .toEqual(["claim: the bridge is safe, by Ada Lovelace"]);
  const latencyMs = Date.now() - labelledAt;
  console.log(`shared-mode span visible to the other browser after ${latencyMs} ms`);

  // drawn in B's text over exactly the labelled words, with the author visible
  const id = await pageB.locator(".span-list li").first().getAttribute("data-span-id");
  expect((await highlightedTexts(pageB))[id!]).toBe("the bridge is safe");
  await expect
    .poll(() =>
      pageB.locator(`[data-start-for="${id}"]`).first().getAttribute("data-author", { timeout: 2000 }),
    )
    .toBe("AL");

  // and back: Bob's label reaches Ada
  await dragSelect(pageB, "Critics");
  await pageB.keyboard.press("3");
  // first in Bob's own list (so a lost key press and a lost update fail differently), then in Ada's
  const both = ["claim: the bridge is safe, by Ada Lovelace", "attribution: Critics, by Bob Stone"];
  await expect.poll(() => sidebarSpans(pageB), { interval: 25 }).toEqual(both);
  await expect.poll(() => sidebarSpans(pageA), { timeout: 2000, interval: 25 }).toEqual(both);
  await expect.poll(() => projectedSpans(server, doc.id, "shared").length).toBe(2);

  await pageA.screenshot({ path: screenshotPath("collab-shared-ada") });
  await pageB.screenshot({ path: screenshotPath("collab-shared-bob") });

  // the sidebar's label filter hides claims in the text too; a click on a listed span selects it
  await pageA
    .getByRole("group", { name: /Filter by label/ })
    .getByRole("checkbox")
    .first()
    .uncheck();
  await expect.poll(async () => Object.values(await highlightedTexts(pageA))).toEqual(["Critics"]);
  expect(await sidebarSpans(pageA)).toEqual(["attribution: Critics, by Bob Stone"]);
  await pageA.getByRole("button", { name: "Show all labels" }).click();
  await pageA.getByRole("button", { name: "claim: the bridge is safe, by Ada Lovelace" }).click();
  await pageA.getByRole("region", { name: "Selected span" }).getByText("“the bridge is safe”").waitFor();
  // the guidelines: each label with its description
  await pageA.getByRole("button", { name: "Guidelines" }).click();
  await pageA.getByText("An assertion presented as fact that could be checked.").waitFor();
  await pageA.screenshot({ path: screenshotPath("collab-guidelines") });
  expect([...pageErrors(ctxA), ...pageErrors(ctxB)]).toEqual([]);
  await Promise.all([ctxA.close(), ctxB.close()]);
});

test("independent mode: neither annotator sees the other's spans; a curator reads both read-only", async () => {
  const ada = seedUser(server.db, { displayName: "Ada" });
  const bob = seedUser(server.db, { displayName: "Bob" });
  const cara = seedUser(server.db, { displayName: "Cara Curator" });
  const project = seedProject(server.db, {
    mode: "independent",
    members: [
      { user: ada, role: "annotator" },
      { user: bob, role: "annotator" },
      { user: cara, role: "curator" },
    ],
  });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada, bob] });
  const {
    contexts: [ctxA, ctxB],
    pages: [pageA, pageB],
  } = await openAsEach(browser.browser, server, doc.id, [ada, bob]);

  await dragSelect(pageA, "the bridge is safe");
  await pageA.keyboard.press("1");
  await dragSelect(pageB, "Critics deny it");
  await pageB.keyboard.press("2");
  // both reached the server, each in its own layer
  await expect.poll(() => projectedSpans(server, doc.id, `user-${ada.id}`).length).toBe(1);
  await expect.poll(() => projectedSpans(server, doc.id, `user-${bob.id}`).length).toBe(1);

  // both stayed connected, and each still sees only their own span
  expect(await connectionLabel(pageA)).toBe("Connected");
  expect(await connectionLabel(pageB)).toBe("Connected");
  expect(await sidebarSpans(pageA)).toEqual(["claim: the bridge is safe"]);
  expect(await sidebarSpans(pageB)).toEqual(["denial: Critics deny it"]);
  expect(Object.values(await highlightedTexts(pageA))).toEqual(["the bridge is safe"]);
  expect(Object.values(await highlightedTexts(pageB))).toEqual(["Critics deny it"]);
  // annotators work blind: no presence row
  expect(await pageA.locator(".presence").count()).toBe(0);
  await pageB.screenshot({ path: screenshotPath("collab-independent-bob") });

  // the curator opens Ada's layer: her span, read-only, and the picker offers Bob's layer
  const ctxC = await newContext(browser.browser, server, cara);
  const pageC = await ctxC.newPage();
  await openDocument(pageC, server, doc.id, `user-${ada.id}`);
  expect(await sidebarSpans(pageC)).toEqual(["claim: the bridge is safe"]);
  await pageC.getByText("You are viewing this layer read-only.").waitFor();
  const options = await pageC.getByLabel("Layer").locator("option").allTextContents();
  expect(options).toEqual(
    expect.arrayContaining(["Ada's layer — 1 span (read-only)", "Bob's layer — 1 span (read-only)"]),
  );
  await pageC.getByLabel("Layer").selectOption(`user-${bob.id}`);
  await expect.poll(() => sidebarSpans(pageC)).toEqual(["denial: Critics deny it"]);
  await pageC.screenshot({ path: screenshotPath("collab-curator-reads-bob") });
  expect([...pageErrors(ctxA), ...pageErrors(ctxB), ...pageErrors(ctxC)]).toEqual([]);
  await Promise.all([ctxA.close(), ctxB.close(), ctxC.close()]);
});

test("a span survives a reload, and a fresh browser gets it from the server", async () => {
  const ada = seedUser(server.db);
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada] });
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  await dragSelect(page, "might reopen the road");
  await page.keyboard.press("4");
  await expect.poll(() => projectedSpans(server, doc.id, `user-${ada.id}`).length).toBe(1);

  await page.reload();
  await openDocument(page, server, doc.id);
  expect(await sidebarSpans(page)).toEqual(["speculation: might reopen the road"]);
  expect(Object.values(await highlightedTexts(page))).toEqual(["might reopen the road"]);

  // a new context has no IndexedDB copy: what it shows came from the server
  const fresh = await newContext(browser.browser, server, ada);
  const page2 = await fresh.newPage();
  await openDocument(page2, server, doc.id);
  await expect.poll(() => sidebarSpans(page2)).toEqual(["speculation: might reopen the road"]);
  expect([...pageErrors(ctx), ...pageErrors(fresh)]).toEqual([]);
  await Promise.all([ctx.close(), fresh.close()]);
});

test("offline: labelling continues, and the server's projection has the span once back online", async () => {
  const ada = seedUser(server.db);
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const label = project.labels.find((l) => l.name === "denial")!;
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada] });
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);

  await ctx.setOffline(true);
  await expect.poll(() => connectionLabel(page)).toBe("Offline");
  await dragSelect(page, "Critics deny it");
  await page.keyboard.press("2");
  expect(await sidebarSpans(page)).toEqual(["denial: Critics deny it"]);
  await page.screenshot({ path: screenshotPath("collab-offline") });
  expect(projectedSpans(server, doc.id, `user-${ada.id}`)).toEqual([]);

  await ctx.setOffline(false);
  await expect.poll(() => connectionLabel(page), { timeout: 10_000 }).toBe("Connected");
  await expect
    .poll(() =>
      projectedSpans(server, doc.id, `user-${ada.id}`).map(({ start, end, labelId }) => ({
        start,
        end,
        labelId,
      })),
    )
    .toEqual([{ ...span("Critics deny it"), labelId: label.id }]);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("offline work is kept in IndexedDB: closed while offline, it merges when the page opens again online", async () => {
  const ada = seedUser(server.db);
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada] });
  const dbName = `gloss:doc/${doc.id}/user-${ada.id}:${ada.id}`;
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  const before = await indexedDbUpdates(page, dbName);

  await ctx.setOffline(true);
  await expect.poll(() => connectionLabel(page)).toBe("Offline");
  await dragSelect(page, "according to a statement");
  await page.keyboard.press("3");
  // stored on this device before the page goes away
  await expect.poll(() => indexedDbUpdates(page, dbName)).toBeGreaterThan(before);
  await page.close();
  expect(projectedSpans(server, doc.id, `user-${ada.id}`)).toEqual([]);

  await ctx.setOffline(false);
  const again = await ctx.newPage();
  await openDocument(again, server, doc.id);
  expect(await sidebarSpans(again)).toEqual(["attribution: according to a statement"]);
  await expect
    .poll(() => projectedSpans(server, doc.id, `user-${ada.id}`).map(({ start, end }) => ({ start, end })))
    .toEqual([span("according to a statement")]);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});
