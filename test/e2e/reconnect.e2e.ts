/**
 * Reconnect behaviour follows the close codes: after 4401 the page asks to sign in again, after 4403 it
 * says access is gone, and in both cases it stops reconnecting. Page time is fast-forwarded with
 * Playwright's clock, so "no further attempt" is checked over a minute of backoff without sleeping.
 */

import { createSession, SESSION_COOKIE } from "@gloss/server/auth/sessions";
import { callSync } from "@gloss/server/db/store";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import {
  connectionLabel,
  dragSelect,
  indexedDbUpdates,
  newContext,
  openDocument,
  pageErrors,
  projectedSpans,
  sidebarSpans,
} from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

useBrowserWorld();

/** Counts the page's collaboration sockets and remembers how each closed. */
function watchSockets(page: Page) {
  const sockets: Array<{ url: string; closed: boolean }> = [];
  page.on("websocket", (ws) => {
    const entry = { url: ws.url(), closed: false };
    sockets.push(entry);
    ws.on("close", () => {
      entry.closed = true;
    });
  });
  return sockets;
}

const TEXT = "Officials said the bridge is safe.";

test("4401: the session ends; the page asks to sign in again and does not retry", async () => {
  const ada = seedUser(server.db, { displayName: "Ada" });
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada] });
  const ctx = await newContext(browser.browser, server, ada);
  const page = await ctx.newPage();
  await page.clock.install();
  const sockets = watchSockets(page);
  await openDocument(page, server, doc.id);
  expect(sockets).toHaveLength(1);

  // the session is revoked on the server; the next connection attempt is refused with 4401
  server.db.$client.prepare("DELETE FROM sessions WHERE user_id = ?").run(ada.id);
  await ctx.setOffline(true);
  await expect.poll(() => connectionLabel(page)).toBe("Offline");
  await ctx.setOffline(false);
  await expect.poll(() => connectionLabel(page)).toBe("Signed out");
  await page.getByRole("alert").getByRole("link", { name: "Sign in again" }).waitFor();
  // the next attempt asked for a socket ticket first (issue 17) and was refused (401): the client stops as
  // for 4401, without opening a socket at all
  expect(sockets).toHaveLength(1);

  // a minute of backoff timers later: still no new attempt
  await page.clock.runFor(60_000);
  expect(sockets).toHaveLength(1);
  expect(await connectionLabel(page)).toBe("Signed out");
  await page.screenshot({ path: screenshotPath("reconnect-4401") });

  // work goes on meanwhile, kept on this device
  await dragSelect(page, "the bridge");
  await page.keyboard.press("1");
  expect(await sidebarSpans(page)).toEqual(["claim: the bridge"]);
  await expect
    .poll(() => indexedDbUpdates(page, `gloss:doc/${doc.id}/user-${ada.id}:${ada.id}`))
    .toBeGreaterThan(1);
  const link = await page.getByRole("link", { name: "Sign in again" }).getAttribute("href");
  expect(link).toBe(`/signin?next=${encodeURIComponent(`/documents/${doc.id}`)}`);

  // signed in again (a new session), the page comes back to the document and the span reaches the server
  const session = callSync(server.db, createSession, ada.id);
  await ctx.addCookies([{ name: SESSION_COOKIE, value: session.value, url: server.url }]);
  await page.goto(server.url + link);
  await page.waitForURL((u) => u.pathname === `/documents/${doc.id}`);
  await expect.poll(() => connectionLabel(page)).toBe("Connected");
  await expect.poll(() => projectedSpans(server, doc.id, `user-${ada.id}`).length).toBe(1);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("4403: a curator demoted to annotator loses another's layer; no retry", async () => {
  const ada = seedUser(server.db, { displayName: "Ada" });
  const cara = seedUser(server.db, { displayName: "Cara" });
  const project = seedProject(server.db, {
    members: [
      { user: ada, role: "annotator" },
      { user: cara, role: "curator" },
    ],
  });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada, cara] });
  const ctx = await newContext(browser.browser, server, cara);
  const page = await ctx.newPage();
  await page.clock.install();
  const sockets = watchSockets(page);
  await openDocument(page, server, doc.id, `user-${ada.id}`);

  server.db.$client
    .prepare("UPDATE project_members SET role = 'annotator' WHERE project_id = ? AND user_id = ?")
    .run(project.id, cara.id);
  await ctx.setOffline(true);
  await expect.poll(() => connectionLabel(page)).toBe("Offline");
  await ctx.setOffline(false);
  await expect.poll(() => connectionLabel(page)).toBe("No access");
  await page.getByRole("alert").getByText("You do not have access to this layer.").waitFor();
  const attempts = sockets.length;
  await page.clock.runFor(60_000);
  expect(sockets).toHaveLength(attempts);
  await page.screenshot({ path: screenshotPath("reconnect-4403") });
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("a transient close (1011, the server failed) is retried until connected again", async () => {
  const ada = seedUser(server.db);
  const project = seedProject(server.db, { members: [{ user: ada, role: "annotator" }] });
  const doc = seedDocument(server.db, project.id, TEXT, { assignTo: [ada] });
  const ctx = await newContext(browser.browser, server, ada);
  // once armed, refuse the next two connection attempts (a server-side failure, 1011), then let them through
  let armed = false;
  let refused = 0;
  await ctx.routeWebSocket(/\/collab\//, (ws) => {
    if (armed && refused < 2) {
      refused++;
      void ws.close({ code: 1011, reason: "try later" });
    } else ws.connectToServer();
  });
  const page = await ctx.newPage();
  await openDocument(page, server, doc.id);
  armed = true;
  await ctx.setOffline(true);
  await expect.poll(() => connectionLabel(page)).toBe("Offline");
  await ctx.setOffline(false);
  await expect.poll(() => connectionLabel(page), { timeout: 15_000 }).toBe("Connected");
  expect(refused).toBe(2);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("REST pages (project, settings, agreement) recover by themselves after a server restart", async () => {
  // a server on a database file, restarted on the same port with the same data (sessions included)
  let gloss: TestServer = await startServer({ file: true });
  const { dataDir, port } = gloss;
  const restart = async () => {
    gloss = await startServer({ dataDir, config: { port } });
  };
  try {
    const mia = seedUser(gloss.db, { displayName: "Mia" });
    seedProject(gloss.db, { name: "Alpha", members: [{ user: mia, role: "manager" }] });
    seedProject(gloss.db, { name: "Beta", members: [{ user: mia, role: "manager" }] });
    const ctx = await newContext(browser.browser, gloss, mia);
    const page = await ctx.newPage();
    // each page once while the server is up, in the app (so its code is loaded), then back to the list
    await page.goto(gloss.url);
    await page.getByRole("link", { name: "Alpha" }).click();
    await page.getByRole("heading", { name: "Alpha", level: 1 }).waitFor();
    const nav = (project: string, name: string) =>
      page.getByRole("list", { name: `Project ${project}` }).getByRole("link", { name });
    await nav("Alpha", "Settings").click();
    await page.getByRole("heading", { name: "Settings — Alpha", level: 1 }).waitFor();
    await nav("Alpha", "Agreement").click();
    await page.getByRole("link", { name: "Curation progress" }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
    await page.getByRole("link", { name: "Beta" }).waitFor();
    const main = page.locator("main");

    /** With the server down, `go` opens a page; it shows the failure; the server comes back; so does the page. */
    const recovers = async (go: () => Promise<void>, ready: () => Promise<unknown>) => {
      await gloss.close();
      await go();
      await main.getByRole("alert").first().waitFor({ timeout: 15_000 });
      await restart();
      await ready();
      // every read of the page is done again, not only the one it waited for
      await expect.poll(() => main.getByRole("alert").count(), { timeout: 10_000 }).toBe(0);
    };

    await recovers(
      () => page.getByRole("link", { name: "Beta" }).click(),
      () => page.getByRole("heading", { name: "Beta", level: 1 }).waitFor({ timeout: 20_000 }),
    );
    await recovers(
      () => nav("Beta", "Settings").click(),
      () => page.getByRole("heading", { name: "Settings — Beta", level: 1 }).waitFor({ timeout: 20_000 }),
    );
    await recovers(
      () => nav("Beta", "Agreement").click(),
      () => page.getByRole("link", { name: "Curation progress" }).waitFor({ timeout: 20_000 }),
    );
    await page.screenshot({ path: screenshotPath("reconnect-rest-recovered") });
    expect(pageErrors(ctx)).toEqual([]);
    await ctx.close();
  } finally {
    await gloss.close();
  }
});
