/**
 * The world of the curation browser tests: one short text (an astral character first, so that the page
 * must keep UTF-16 in the layers and code points in the API apart), two annotators, Ann and Bob — in that
 * order, so Ann is lane 1 —, curators, and the spans each annotator wrote into their own live layer.
 */
import { addSpan, type LayerContext, userLayer } from "@gloss/shared";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { connectionLabel } from "./e2e";
import { type SeededProject, type SeededUser, seedDocument, seedProject, seedUser } from "./seed";
import type { TestServer } from "./server";

export const CURATION_TEXT =
  "😀 The minister said taxes will rise. Critics denied it. Prices may fall. Sources say so.";
/** UTF-16 offset of the first occurrence of `s` in the text. */
export const at = (s: string) => CURATION_TEXT.indexOf(s);
/** `s`'s [start, end) in UTF-16, `extra` characters longer at the end. */
export const range = (s: string, extra = 0) => [at(s), at(s) + s.length + extra] as const;

export type LabelName = "claim" | "denial" | "attribution" | "speculation";
/** A span to write: the phrase it covers, its label, and how many characters past the phrase it ends. */
export type PhraseSpan = readonly [phrase: string, label: LabelName, extra?: number];

export interface CurationWorld {
  project: SeededProject;
  label: Record<LabelName, number>;
  curator: SeededUser;
  ann: SeededUser;
  bob: SeededUser;
  documentId: number;
}

export interface CurationWorldOpts {
  /** Curators of the project (default: one, "Cora Curator"); the first is the world's `curator`. */
  curators?: SeededUser[];
  /** The document's name. */
  name: string;
  ann: PhraseSpan[];
  bob: PhraseSpan[];
}

/** Seeds the project, the document assigned to Ann and Bob, and their layers through the live rooms. */
export async function seedCurationWorld(server: TestServer, opts: CurationWorldOpts): Promise<CurationWorld> {
  const curators = opts.curators ?? [seedUser(server.db, { displayName: "Cora Curator" })];
  const ann = seedUser(server.db, { displayName: "Ann" });
  const bob = seedUser(server.db, { displayName: "Bob" });
  const project = seedProject(server.db, {
    members: [
      ...curators.map((user) => ({ user, role: "curator" as const })),
      { user: ann, role: "annotator" },
      { user: bob, role: "annotator" },
    ],
  });
  const id = (n: LabelName) => project.labels.find((l) => l.name === n)!.id;
  const label = {
    claim: id("claim"),
    denial: id("denial"),
    attribution: id("attribution"),
    speculation: id("speculation"),
  };
  const doc = seedDocument(server.db, project.id, CURATION_TEXT, { name: opts.name, assignTo: [ann, bob] });
  const ctx: LayerContext = { text: CURATION_TEXT, labelIds: new Set(Object.values(label)) };
  const write = (user: SeededUser, spans: PhraseSpan[]) =>
    server.deps.collab.withDoc(doc.id, userLayer(user.id), (ydoc) => {
      for (const [phrase, name, extra] of spans) {
        const [start, end] = range(phrase, extra);
        addSpan(ydoc, { start, end, label: label[name], author: user.id }, ctx);
      }
    });
  await write(ann, opts.ann);
  await write(bob, opts.bob);
  return { project, label, curator: curators[0]!, ann, bob, documentId: doc.id };
}

/** Opens the curation view and waits for the aligned layers and the live gold room. */
export async function openCuration(page: Page, server: TestServer, documentId: number) {
  await page.goto(`${server.url}/documents/${documentId}/curate`);
  await page.locator(".curation-workspace[data-view-ready]").waitFor();
  await expect.poll(() => connectionLabel(page), { timeout: 10_000 }).toBe("Connected");
}

export const panelTitle = (page: Page) => page.locator("#dis-title").textContent();
export const curationNotice = (page: Page) => page.locator("[data-notice]").textContent();
export const openCount = (page: Page) => page.locator("[data-open]").getAttribute("data-open");
