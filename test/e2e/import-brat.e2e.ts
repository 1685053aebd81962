/**
 * The annotation import panel reports what a brat file held that Gloss cannot carry (issue 13 item 16):
 * brat's own tutorial document (test/fixtures/brat) imports its spans, relations and note, and the panel
 * lists the event, attributes and normalisation it left out, by kind and count.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { projects } from "@gloss/server/db/schema";
import { writeZip } from "@gloss/server/services/importAnnotations";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { browser, server, useBrowserWorld } from "../helpers/browserWorld";
import { newContext, pageErrors, projectedSpans } from "../helpers/e2e";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";

useBrowserWorld();

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/brat");

test("a brat import says, in the panel, which lines Gloss could not carry", async () => {
  const manager = seedUser(server.db, { displayName: "Mia Manager" });
  const project = seedProject(server.db, { name: "brat", members: [{ user: manager, role: "manager" }] });
  server.db
    .update(projects)
    .set({ relationTypes: ["Origin", "Family"] })
    .where(eq(projects.id, project.id))
    .run();
  const ann = readFileSync(path.join(FIXTURES, "000-introduction.ann"));
  const txt = readFileSync(path.join(FIXTURES, "000-introduction.txt"));
  const doc = seedDocument(server.db, project.id, txt.toString("utf8"), { name: "000-introduction.txt" });
  const zip = writeZip(
    new Map([
      ["000-introduction.ann", new Uint8Array(ann)],
      ["000-introduction.txt", new Uint8Array(txt)],
    ]),
  );

  const context = await newContext(browser.browser, server, manager);
  const page = await context.newPage();
  await page.goto(`${server.url}/projects/${project.id}/export`);
  const importForm = page.getByRole("form", { name: "Import annotations" });
  await importForm.getByLabel("Format of the file").selectOption("brat");
  await importForm.getByLabel("Into layer").selectOption("shared");
  await importForm.getByLabel("File", { exact: true }).setInputFiles({
    name: "000-introduction.zip",
    mimeType: "application/zip",
    buffer: Buffer.from(zip),
  });
  await importForm.getByLabel("Create labels the project does not have yet").check();
  await importForm.getByRole("button", { name: "Import" }).click();
  await expect
    .poll(() => page.locator(".import-result").textContent())
    .toMatch(/^Imported 7 spans and 2 relations into 1 document\./);
  expect(await page.locator(".import-not-imported").textContent()).toBe(
    "Not imported (Gloss cannot carry them): 1 event, 5 attributes, 1 normalization.",
  );
  await server.deps.collab.flush();
  expect(projectedSpans(server, doc.id, "shared")).toHaveLength(7);
  expect(pageErrors(context)).toEqual([]);
  await context.close();
});
