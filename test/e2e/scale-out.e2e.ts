/**
 * Two annotators of one document on two Gloss servers (separate processes over one database, Redis between
 * them), as behind a load balancer without sticky sessions: each sees the other in the presence row, and a
 * span labelled in one browser appears in the other — with the shared log read only once a minute, so it
 * came through Redis.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Db, openDb } from "@gloss/server/db/client";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { dragSelect, newContext, openDocument, pageErrors, sidebarSpans } from "../helpers/e2e";
import { type Instance, startInstance, stopInstance } from "../helpers/instances";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";
import type { TestServer } from "../helpers/server";

const TEXT = "Officials said the bridge is safe, according to a statement. Critics deny it.";

let dir: string;
let db: Db;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const instances: Instance[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-e2e-scale-"));
  db = openDb(path.join(dir, "gloss.db"));
  const env = {
    GLOSS_DATA_DIR: dir,
    GLOSS_REDIS_URL: process.env.GLOSS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    GLOSS_REDIS_PREFIX: `gloss-e2e-${randomBytes(6).toString("hex")}`,
    GLOSS_TEST_POLL_MS: "60000",
  };
  instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(instances.map((i) => stopInstance(i)));
  db?.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("two annotators on two servers see each other and each other's spans", async () => {
  const ada = seedUser(db, { displayName: "Ada Lovelace" });
  const bob = seedUser(db, { displayName: "Bob Stone" });
  const project = seedProject(db, {
    mode: "shared",
    members: [
      { user: ada, role: "annotator" },
      { user: bob, role: "annotator" },
    ],
  });
  const doc = seedDocument(db, project.id, TEXT, { assignTo: [ada, bob] });
  // the page helpers need only a server's URL
  const [one, two] = instances.map((i) => ({ url: i.url }) as TestServer);
  const [ctxA, ctxB] = await Promise.all([
    newContext(browser.browser, one!, ada),
    newContext(browser.browser, two!, bob),
  ]);
  const [pageA, pageB] = await Promise.all([ctxA.newPage(), ctxB.newPage()]);
  await Promise.all([openDocument(pageA, one!, doc.id), openDocument(pageB, two!, doc.id)]);

  const presence = (page: typeof pageA) => page.locator(".presence li").allTextContents();
  await expect.poll(() => presence(pageB), { timeout: 5000 }).toEqual(["ALAda Lovelace is here"]);
  await expect.poll(() => presence(pageA), { timeout: 5000 }).toEqual(["BSBob Stone is here"]);

  await dragSelect(pageA, "the bridge is safe");
  await pageA.keyboard.press("1");
  const t0 = Date.now();
  await expect
    .poll(() => sidebarSpans(pageB), { timeout: 2000, interval: 25 })
    .toEqual(["claim: the bridge is safe, by Ada Lovelace"]);
  console.log(`a span labelled on server 1 shown by server 2's browser after ${Date.now() - t0} ms`);

  await dragSelect(pageB, "Critics");
  await pageB.keyboard.press("3");
  // labelled in B's browser first (then it must cross to server 1)
  await expect.poll(() => sidebarSpans(pageB), { timeout: 2000, interval: 25 }).toHaveLength(2);
  await expect
    .poll(() => sidebarSpans(pageA), { timeout: 2000, interval: 25 })
    .toEqual(["claim: the bridge is safe, by Ada Lovelace", "attribution: Critics, by Bob Stone"]);

  await pageA.screenshot({ path: screenshotPath("scale-out-server-1") });
  await pageB.screenshot({ path: screenshotPath("scale-out-server-2") });
  expect(pageErrors(ctxA)).toEqual([]);
  expect(pageErrors(ctxB)).toEqual([]);
  await Promise.all([ctxA.close(), ctxB.close()]);
});
