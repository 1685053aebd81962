/**
 * No page logs an error to the console (issue 13 item 11): every page is opened signed out and signed in
 * (an administrator who manages a project with a document), and everything the browser logs as an error —
 * a Content-Security-Policy refusal, a failed request, an uncaught exception — is collected.
 */
import type { BrowserContext } from "playwright-core";
import { expect, test } from "vitest";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { newContext } from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

/** Opens each path in a fresh page and returns what the console and the page reported as errors. */
async function consoleErrorsOn(ctx: BrowserContext, paths: string[]): Promise<string[]> {
  const errors: string[] = [];
  for (const path of paths) {
    const page = await ctx.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${path}: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
    await page.goto(server.url + path);
    await page.locator("main h1, main [role=alert], .workspace[data-editor-ready]").first().waitFor();
    // whatever the page loads after its first paint (its chunks, its queries, the socket) has come in
    await page.waitForLoadState("networkidle");
    await page.close();
  }
  return errors;
}

test("no console errors on any page, signed out or signed in", async () => {
  const admin = seedUser(server.db, { admin: true, displayName: "Ada Admin" });
  const project = seedProject(server.db, { members: [{ user: admin, role: "manager" }] });
  const doc = seedDocument(server.db, project.id, "Officials said the bridge is safe.", {
    assignTo: [admin],
  });
  const pages = [
    "/",
    `/projects/${project.id}`,
    `/projects/${project.id}/settings`,
    `/projects/${project.id}/agreement`,
    `/projects/${project.id}/curation`,
    `/projects/${project.id}/export`,
    `/documents/${doc.id}`,
    `/documents/${doc.id}/curate`,
    "/users",
    "/no-such-page",
  ];

  const visitor = await newContext(browser.browser, server);
  expect(await consoleErrorsOn(visitor, ["/signin", "/register", ...pages])).toEqual([]);
  await visitor.close();

  const signedIn = await newContext(browser.browser, server, admin);
  expect(await consoleErrorsOn(signedIn, pages)).toEqual([]);
  await signedIn.close();
});
