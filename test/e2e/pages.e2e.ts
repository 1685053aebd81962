/**
 * The pages around the editor, driven through the UI: sign up and sign in, create a project, import by
 * upload, members, labels (with the 409 "in use" message), assignment, the document list and the queue.
 */
import { addSpan } from "@gloss/shared";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { apiAs, newContext, pageErrors, projectedSpans, signUpThroughUi } from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";
import { startServer } from "../helpers/server";

useBrowserWorld();

const alertText = (page: Page) => page.getByRole("alert").first().textContent();
const statusText = (page: Page, text: string | RegExp) =>
  page.getByRole("status").filter({ hasText: text }).first();

test("sign up through the UI: the first account is the admin; the server's errors are shown as text", async () => {
  const fresh = await startServer();
  try {
    const ctx = await newContext(browser.browser, fresh);
    const page = await ctx.newPage();
    await signUpThroughUi(page, fresh, {
      username: "first",
      password: "correct horse",
      displayName: "First Person",
    });
    await page.locator(".header-user").getByText("(admin)").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/signin");

    await page.getByLabel("Username").fill("first");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => alertText(page)).toBe("Wrong username or password");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill("first");
    await page.getByLabel("Password").fill("another password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => alertText(page)).toBe("The username 'first' is taken");
    await page.screenshot({ path: screenshotPath("pages-register-error") });

    // a second account is not an admin
    await page.getByLabel("Username").fill("second");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    expect(await page.locator(".header-user").textContent()).not.toContain("(admin)");
    expect(pageErrors(ctx)).toEqual([]);
    await ctx.close();
  } finally {
    await fresh.close();
  }
});

test("a manager creates a project, imports by upload, adds a member, edits labels and assigns", async () => {
  const manager = seedUser(server.db, { displayName: "Mia Manager" });
  const bob = seedUser(server.db, { displayName: "Bob" });
  const ctx = await newContext(browser.browser, server, manager);
  const page = await ctx.newPage();
  await page.goto(server.url);
  await page.getByLabel("Name", { exact: true }).fill("Bridges & tunnels");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "Settings — Bridges & tunnels" }).waitFor();
  const projectId = Number(/\/projects\/(\d+)\/settings/.exec(page.url())![1]);

  // import by upload: two files, then the same again (duplicates skipped), then a broken JSONL
  const files = page.getByLabel("Files");
  const txt = (name: string, text: string) => ({ name, mimeType: "text/plain", buffer: Buffer.from(text) });
  await files.setInputFiles([
    txt("bridge.txt", "Officials said the bridge is safe."),
    txt("road.txt", "The road may reopen next week."),
  ]);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await statusText(page, "Imported 2 documents.").waitFor();
  await files.setInputFiles([txt("bridge.txt", "Officials said the bridge is safe.")]);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await statusText(page, "Imported 0 documents, skipped 1 duplicate.").waitFor();
  await files.setInputFiles([
    { name: "bad.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from('{"text":"ok"}\n{"text":\n') },
  ]);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect.poll(() => alertText(page)).toMatch(/^Nothing was imported: bad\.jsonl:2\b/);

  // members: add by username; an unknown name is refused with the server's message
  const addMember = page.getByRole("form", { name: "Add member" });
  await addMember.getByLabel("Username").fill("ghost-user");
  await addMember.getByRole("button", { name: "Add member" }).click();
  await expect.poll(() => alertText(page)).toBe("No user named 'ghost-user'");
  await addMember.getByLabel("Username").fill(bob.username);
  await addMember.getByRole("button", { name: "Add member" }).click();
  await page.getByLabel(`Role of ${bob.username}`).waitFor();

  // labels: add one with a hotkey, move it up, delete an unused one
  const newLabel = page.getByRole("form", { name: "New label" });
  await newLabel.getByLabel("Name").fill("source");
  await newLabel.getByLabel("Hotkey").fill("5");
  await newLabel.getByLabel("Guideline").fill("Where the information comes from.");
  await newLabel.getByRole("button", { name: "Add label" }).click();
  await page.getByRole("button", { name: "Move source up" }).click();
  await statusText(page, "Order saved.").waitFor();
  await page.getByRole("button", { name: "Delete speculation" }).click();
  await statusText(page, "Label “speculation” deleted.").waitFor();
  const api = apiAs(server, manager);
  const { labels } = await api.get<{ labels: Array<{ name: string; hotkey: string | null }> }>(
    `/api/projects/${projectId}/labels`,
  );
  expect(labels.map((l) => l.name)).toEqual(["claim", "denial", "attribution", "source"]);
  expect(labels.find((l) => l.name === "source")?.hotkey).toBe("5");

  // the member just added is offered for explicit assignment, beside the imported documents
  const explicit = page.getByRole("form", { name: "Explicit assignment" });
  await explicit.getByRole("checkbox", { name: "Bob" }).waitFor();
  // (the document picker lists them once its own search has answered)
  await expect
    .poll(() => explicit.getByRole("group", { name: "Documents" }).getByRole("checkbox").count())
    .toBe(2);

  // automatic assignment: every document to one annotator (Bob, the only one)
  await page
    .getByRole("form", { name: "Automatic assignment" })
    .getByLabel("Annotators per document")
    .fill("1");
  await page.getByRole("button", { name: "Assign automatically" }).click();
  await statusText(page, /^Assigned/).waitFor();
  await page.screenshot({ path: screenshotPath("pages-settings"), fullPage: true });

  // the project page: both documents with Bob's status; the search narrows by text
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Documents" }).click();
  await expect.poll(() => page.locator(".doc-table tbody tr").count()).toBe(2);
  expect(await page.locator(".doc-table tbody tr").first().textContent()).toContain(`${bob.username}: to do`);
  await page.getByLabel("Search names and text").fill("bridge is");
  await expect
    .poll(() => page.locator(".doc-table tbody tr td:first-child").allTextContents())
    .toEqual(["bridge"]);
  await page.screenshot({ path: screenshotPath("pages-project") });
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("deleting a label that annotations use shows the server's 409 message", async () => {
  const manager = seedUser(server.db);
  const project = seedProject(server.db, { members: [{ user: manager, role: "manager" }] });
  const claim = project.labels.find((l) => l.name === "claim")!;
  const text = "Officials said the bridge is safe.";
  const doc = seedDocument(server.db, project.id, text);
  const layer = `user-${manager.id}` as const;
  await server.deps.collab.withDoc(doc.id, layer, (ydoc) =>
    addSpan(
      ydoc,
      { start: 0, end: 9, label: claim.id, author: manager.id },
      { text, labelIds: new Set([claim.id]) },
    ),
  );
  await expect.poll(() => projectedSpans(server, doc.id, layer).length).toBe(1);

  const ctx = await newContext(browser.browser, server, manager);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/projects/${project.id}/settings`);
  await page.getByRole("button", { name: "Delete claim" }).click();
  await expect
    .poll(() => alertText(page))
    .toBe("Label 'claim' is used by 1 annotation: relabel or delete them first");
  await expect.poll(() => page.locator(".label-list > li").count()).toBe(4);
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("an annotator follows the queue: next document, mark as done, next again", async () => {
  const ann = seedUser(server.db, { displayName: "Ann" });
  const project = seedProject(server.db, { members: [{ user: ann, role: "annotator" }] });
  const first = seedDocument(server.db, project.id, "First document text.", {
    name: "first.txt",
    assignTo: [ann],
  });
  const second = seedDocument(server.db, project.id, "Second document text.", {
    name: "second.txt",
    assignTo: [ann],
  });
  const ctx = await newContext(browser.browser, server, ann);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/projects/${project.id}`);
  await page.getByRole("heading", { name: "Your queue" }).waitFor();
  await page.screenshot({ path: screenshotPath("pages-queue") });

  await page.getByRole("button", { name: "Next document" }).click();
  await page.waitForURL((u) => u.pathname === `/documents/${first.id}`);
  await page.locator(".workspace[data-editor-ready]").waitFor();
  await expect.poll(() => page.locator(".connection-label").textContent()).toBe("Connected");
  await page.getByRole("button", { name: "Mark as done" }).click();
  // the layer state reaches the assignment on the server
  const status = () =>
    server.db.$client
      .prepare("SELECT status FROM assignments WHERE document_id = ? AND user_id = ?")
      .pluck()
      .get(first.id, ann.id);
  await expect.poll(status).toBe("done");
  // Done is read-only until reopened (the server enforces it); reopening and finishing again round-trips.
  const reopen = page.getByRole("button", { name: "✓ Done — reopen" });
  await reopen.waitFor();
  await page.screenshot({ path: screenshotPath("pages-done") });
  await reopen.click();
  await expect.poll(status).toBe("in_progress");
  await page.getByRole("button", { name: "Mark as done" }).click();
  await expect.poll(status).toBe("done");

  await page.getByRole("button", { name: "Next document" }).click();
  await page.waitForURL((u) => u.pathname === `/documents/${second.id}`);
  await page.locator(".workspace[data-editor-ready]").waitFor();
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("second.txt");
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("a curator without a queue of their own steps through the project's documents", async () => {
  const cur = seedUser(server.db, { displayName: "Cora" });
  const project = seedProject(server.db, { members: [{ user: cur, role: "curator" }] });
  const first = seedDocument(server.db, project.id, "First text.", { name: "one.txt" });
  const second = seedDocument(server.db, project.id, "Second text.", { name: "two.txt" });
  const ctx = await newContext(browser.browser, server, cur);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/documents/${first.id}`);
  await page.locator(".workspace[data-editor-ready]").waitFor();
  await page.getByRole("button", { name: "Next document" }).click();
  await page.waitForURL((u) => u.pathname === `/documents/${second.id}`);
  await page.locator(".workspace[data-editor-ready]").waitFor();
  await page.getByRole("button", { name: "Next document" }).click();
  await statusText(page, "This is the project's last document.").waitFor();
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});

test("the projects page pages and searches a user's projects on the server", async () => {
  const member = seedUser(server.db, { displayName: "Many Projects" });
  server.db.transaction(() => {
    for (let i = 0; i < 60; i++)
      seedProject(server.db, {
        name: `study-${String(i).padStart(2, "0")}`,
        members: [{ user: member, role: "annotator" }],
      });
  });
  const ctx = await newContext(browser.browser, server, member);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/`);
  const cards = page.locator(".project-list .card h2");
  // newest first, 50 a page
  await expect.poll(() => cards.count()).toBe(50);
  expect(await cards.first().textContent()).toBe("study-59");
  await page.getByRole("button", { name: "Following page of projects" }).click();
  await expect
    .poll(() => cards.allTextContents())
    .toEqual(Array.from({ length: 10 }, (_, i) => `study-${String(9 - i).padStart(2, "0")}`));
  await page.getByRole("searchbox", { name: "Search" }).fill("STUDY-4");
  await expect
    .poll(() => cards.allTextContents())
    .toEqual(Array.from({ length: 10 }, (_, i) => `study-${49 - i}`));
  await page.getByRole("searchbox", { name: "Search" }).fill("nothing like it");
  await page.getByText("No project matches.").waitFor();
  expect(pageErrors(ctx)).toEqual([]);
  await ctx.close();
});
