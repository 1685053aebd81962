import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";

useBrowserWorld();

test("the built client is served by the one server process; a visitor lands on sign-in", async () => {
  const page = await browser.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/signin");
  await expect.poll(() => page.title()).toBe("Sign in · Gloss");
  // deep links work too (the server answers every path with the app)
  await page.goto(`${server.url}/projects/1`);
  await page.waitForURL((u) => u.pathname === "/signin" && u.searchParams.get("next") === "/projects/1");
  await page.screenshot({ path: screenshotPath("shell") });
  expect(errors).toEqual([]);
});
