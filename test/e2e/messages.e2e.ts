/**
 * Validation messages in words (issue 13 item 10): what the server refuses is shown as a sentence naming
 * the field as a person would ("Label 3's name is longer than 64 characters", "'claim' appears twice
 * among the labels"), never a zod path (`labels.2.name: Too big…`); inputs carry the server's length
 * limits as `maxlength`.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { newContext, pageErrors } from "../helpers/e2e";
import { seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

const alertText = (page: Page) => page.getByRole("alert").first().textContent();

test("a refused project says what is wrong in words, naming the label", async () => {
  const mia = seedUser(server.db, { displayName: "Mia" });
  const ctx = await newContext(browser.browser, server, mia);
  const page = await ctx.newPage();
  await page.goto(server.url);
  await page.getByRole("heading", { name: "New project" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("Bridges");
  await page.getByLabel("My own labels").check();
  const labels = page.getByLabel(/One label per line/);

  await labels.fill(["claim", "denial", "x".repeat(65)].join("\n"));
  await page.getByRole("button", { name: "Create project" }).click();
  await expect.poll(() => alertText(page)).toBe("Label 3's name is longer than 64 characters");
  await page.screenshot({ path: screenshotPath("messages-label-too-long") });

  await labels.fill(["claim", "denial", "claim"].join("\n"));
  await page.getByRole("button", { name: "Create project" }).click();
  await expect.poll(() => alertText(page)).toBe("'claim' appears twice among the labels (labels 1 and 3)");
  expect(await page.locator("main").textContent()).not.toMatch(/labels\.\d|Too big|Too small/);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("inputs carry the server's length limits as maxlength", async () => {
  const mia = seedUser(server.db, { displayName: "Mia" });
  const project = seedProject(server.db, { members: [{ user: mia, role: "manager" }] });
  const visitor = await newContext(browser.browser, server);
  const page = await visitor.newPage();
  await page.goto(`${server.url}/register`);
  expect(await page.getByLabel("Username").getAttribute("maxlength")).toBe("64");
  expect(await page.getByLabel(/Display name/).getAttribute("maxlength")).toBe("128");
  await page.goto(`${server.url}/signin`);
  expect(await page.getByLabel("Username").getAttribute("maxlength")).toBe("64");
  await visitor.close();

  const ctx = await newContext(browser.browser, server, mia);
  const settings = await ctx.newPage();
  await settings.goto(`${server.url}/projects/${project.id}/settings`);
  const addMember = settings.getByRole("form", { name: "Add member" });
  await addMember.waitFor();
  expect(await addMember.getByLabel("Username").getAttribute("maxlength")).toBe("64");
  expect(await settings.getByLabel("Name", { exact: true }).first().getAttribute("maxlength")).toBe("200");
  await ctx.close();
});
