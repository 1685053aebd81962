/**
 * Worlds the annotation-view browser tests share: seeded long prose, two annotators in a shared layer with
 * their two browsers open on one document, and spans written through the server's live layer.
 */
import { addSpan } from "@gloss/shared";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { newContext, openDocument } from "./e2e";
import { type SeededProject, type SeededUser, seedDocument, seedProject, seedUser } from "./seed";
import type { TestServer } from "./server";

/**
 * At least `chars` of seeded news-like prose in paragraphs (a blank line between them), the same for the
 * same seed, followed by a blank line and `tail`.
 */
export function seededProse(chars: number, seed: number, tail: string): string {
  const words = "the minister said council vote delayed court ruled lawyers appeal decision weeks".split(" ");
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s >>> 16;
  };
  const paragraphs: string[] = [];
  let size = 0;
  while (size < chars) {
    const n = 40 + (next() % 80);
    const p = Array.from({ length: n }, () => words[next() % words.length]).join(" ");
    paragraphs.push(`${p[0]!.toUpperCase()}${p.slice(1)}.`);
    size += p.length + 3;
  }
  return `${paragraphs.join("\n\n")}\n\n${tail}`;
}

/** Writes spans into a layer through the server's live room; `[phrase, label]`, at the phrase's last occurrence. */
export function seedSpans(
  server: TestServer,
  documentId: number,
  layer: "shared" | `user-${number}`,
  text: string,
  project: Pick<SeededProject, "labels">,
  author: number,
  wanted: Array<[string, string]>,
): Promise<string[]> {
  const ctx = { text, labelIds: new Set(project.labels.map((l) => l.id)) };
  return server.deps.collab.withDoc(documentId, layer, (ydoc) =>
    wanted.map(([part, label]) => {
      const start = text.lastIndexOf(part);
      const labelId = project.labels.find((l) => l.name === label)!.id;
      return addSpan(ydoc, { start, end: start + part.length, label: labelId, author }, ctx).id;
    }),
  );
}

export interface TwoAnnotators {
  ada: SeededUser;
  bob: SeededUser;
  project: SeededProject;
  doc: ReturnType<typeof seedDocument>;
}

/** Ada Lovelace and Bob Stone, annotators of one project (shared mode unless said) and of its one document. */
export function seedTwoAnnotators(
  server: TestServer,
  text: string,
  opts: { mode?: "shared" | "independent"; projectName?: string; documentName?: string } = {},
): TwoAnnotators {
  const ada = seedUser(server.db, { displayName: "Ada Lovelace" });
  const bob = seedUser(server.db, { displayName: "Bob Stone" });
  const project = seedProject(server.db, {
    name: opts.projectName,
    mode: opts.mode ?? "shared",
    members: [
      { user: ada, role: "annotator" },
      { user: bob, role: "annotator" },
    ],
  });
  const doc = seedDocument(server.db, project.id, text, { name: opts.documentName, assignTo: [ada, bob] });
  return { ada, bob, project, doc };
}

/**
 * One signed-in browser context per user, each with a page on the document, opened and live; `viewports`
 * sizes a page (by the user's index) before it opens.
 */
export async function openAsEach<const U extends readonly SeededUser[]>(
  browser: Browser,
  server: TestServer,
  documentId: number,
  users: U,
  viewports: Array<{ width: number; height: number } | undefined> = [],
): Promise<{ contexts: { [K in keyof U]: BrowserContext }; pages: { [K in keyof U]: Page } }> {
  const contexts = await Promise.all(users.map((u) => newContext(browser, server, u)));
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  await Promise.all(
    pages.map(async (p, i) => {
      const size = viewports[i];
      if (size) await p.setViewportSize(size);
      await openDocument(p, server, documentId);
    }),
  );
  return { contexts, pages } as {
    contexts: { [K in keyof U]: BrowserContext };
    pages: { [K in keyof U]: Page };
  };
}
