import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("the built client is served by the one server process", async () => {
  const page = await browser.browser.newPage();
  await page.goto(server.url);
  await expect.poll(() => page.title()).toBe("Gloss");
  await page.screenshot({ path: screenshotPath("shell") });
});
