/**
 * Offline reload opens the app (issue 13 item 12): a service worker keeps the app shell, so reloading a
 * document without a network shows the app — the document's text and the spans kept in IndexedDB —
 * instead of the browser's offline page. The worker never answers API requests, and the page is
 * network-first: back online, a reload gets the server's page.
 */
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
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

const TEXT = "Officials said the bridge is safe. Critics denied it.";

test("reloading a document offline shows its text and spans from this device", async () => {
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada] });
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  await dragSelect(page, "the bridge");
  await page.keyboard.press("1");
  await expect.poll(() => projectedSpans(server, doc.id, `user-${ada.id}`).length).toBe(1);

  // the worker controls the page and keeps every build file the page loaded
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return "no controller";
          const cache = await caches.open("gloss-shell-v1");
          const kept = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
          const loaded = performance
            .getEntriesByType("resource")
            .map((e) => new URL(e.name))
            .filter((u) => u.origin === location.origin && u.pathname.startsWith("/assets/"))
            .map((u) => u.pathname);
          const missing = loaded.filter((p) => !kept.has(p));
          return kept.has("/") && missing.length === 0 ? "ready" : `missing ${missing.join(", ")}`;
        }),
      { timeout: 10_000 },
    )
    .toBe("ready");

  await ctx.setOffline(true);
  await page.reload();
  await page.locator(".workspace[data-editor-ready]").waitFor({ timeout: 15_000 });
  expect(await page.locator(".ProseMirror").textContent()).toBe(TEXT);
  await expect.poll(() => sidebarSpans(page)).toEqual(["claim: the bridge"]);
  expect(Object.values(await highlightedTexts(page))).toEqual(["the bridge"]);
  expect(await connectionLabel(page)).toBe("Offline");
  await page.screenshot({ path: screenshotPath("offline-reload") });

  // work goes on offline, and reaches the server once back
  await dragSelect(page, "Critics");
  await page.keyboard.press("2");
  await ctx.setOffline(false);
  await expect.poll(() => connectionLabel(page), { timeout: 15_000 }).toBe("Connected");
  await expect.poll(() => projectedSpans(server, doc.id, `user-${ada.id}`).length).toBe(2);

  // the worker never answers for the API: the server does (a 401 for a stranger's cookie-less fetch)
  const status = await page.evaluate(
    async () => (await fetch("/api/auth/me", { credentials: "omit" })).status,
  );
  expect(status).toBe(401);
  // the worker itself is always read fresh, so a deploy's new worker (and page) is picked up
  const worker = await fetch(`${server.url}/sw.js`);
  expect(worker.headers.get("content-type")).toMatch(/^text\/javascript/);
  expect(worker.headers.get("cache-control")).toBe("no-cache");
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});
