/**
 * Page-level helpers for the browser tests: signed-in browser contexts (seeded session cookies), sign up
 * and sign in through the UI, opening a document and waiting for it to be live, selecting text with the
 * real mouse, reading what the editor highlights, and reading the server's projection.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { ApiClient } from "./http";
import type { SeededUser } from "./seed";
import type { TestServer } from "./server";

/** One viewport for every screenshot, wide enough for the text and the sidebar side by side. */
export const VIEWPORT = { width: 1360, height: 900 };

/** A browser context (its own cookies, IndexedDB, network) signed in as `user` when given. */
export async function newContext(
  browser: Browser,
  server: TestServer,
  user?: SeededUser,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  if (user) {
    const i = user.cookie.indexOf("=");
    await context.addCookies([
      { name: user.cookie.slice(0, i), value: user.cookie.slice(i + 1), url: server.url },
    ]);
  }
  const errors: string[] = [];
  context.on("weberror", (e) => errors.push(e.error().stack ?? e.error().message));
  // Content-Security-Policy refusals count as page errors too (something the page tried was blocked).
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(
        `CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`,
      ),
    ),
  );
  context.on("console", (m) => {
    if (m.type() === "error" && m.text().startsWith("CSP violation:")) errors.push(m.text());
  });
  PAGE_ERRORS.set(context, errors);
  return context;
}

const PAGE_ERRORS = new WeakMap<BrowserContext, string[]>();

/** Uncaught errors thrown in the context's pages so far (a test ends by expecting none). */
export const pageErrors = (context: BrowserContext): string[] => PAGE_ERRORS.get(context) ?? [];

/** An API client acting as `user` (cookie session, same Origin as the app). */
export function apiAs(server: TestServer, user: SeededUser): ApiClient {
  const api = new ApiClient(server.url);
  api.cookie = user.cookie;
  return api;
}

/** Registers through the UI (the register page) and waits for the projects page. */
export async function signUpThroughUi(
  page: Page,
  server: TestServer,
  user: { username: string; password: string; displayName?: string },
): Promise<void> {
  await page.goto(`${server.url}/register`);
  await page.getByLabel("Username").fill(user.username);
  if (user.displayName) await page.getByLabel(/Display name/).fill(user.displayName);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
}

/** Signs in through the UI and waits to leave the sign-in page. */
export async function signInThroughUi(
  page: Page,
  server: TestServer,
  user: { username: string; password: string },
): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/signin");
}

/** The connection indicator's word ("Connected", "Syncing", "Offline", …). */
export const connectionLabel = (page: Page) => page.locator(".connection-label").textContent();

/** Opens the annotation view of a document and waits for the editor and a synced connection. */
export async function openDocument(page: Page, server: TestServer, documentId: number, layer?: string) {
  await page.goto(`${server.url}/documents/${documentId}${layer ? `?layer=${layer}` : ""}`);
  await page.locator(".workspace[data-editor-ready]").waitFor();
  await expect.poll(() => connectionLabel(page), { timeout: 10_000 }).toBe("Connected");
}

/** The spans listed in the sidebar: their accessible names ("claim: the bridge"), in reading order. */
export function sidebarSpans(page: Page): Promise<string[]> {
  return page
    .locator(".span-list .span-item")
    .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
}

/**
 * The text each drawn span highlights in the editor, by span id: the text of its decoration elements
 * (label tags, should the editor draw them as widgets inside the text, are left out).
 */
export function highlightedTexts(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(".ProseMirror [data-span-id]"))) {
      const copy = el.cloneNode(true) as HTMLElement;
      for (const tag of Array.from(copy.querySelectorAll(".gl-tag"))) tag.remove();
      const id = el.dataset.spanId!;
      out[id] = (out[id] ?? "") + (copy.textContent ?? "");
    }
    return out;
  });
}

/**
 * Drags the real mouse across the `occurrence`-th appearance of `needle` in the editor's text (within one
 * line). Returns when the mouse is released.
 */
export async function dragSelect(page: Page, needle: string, occurrence = 0): Promise<void> {
  // The text can move between measuring it and the drag (another browser's cursor or label tag drawn
  // inline meanwhile): the drag is tried again until the page's selection holds the needle.
  for (let attempt = 0; ; attempt++) {
    await dragOnce(page, needle, occurrence);
    const selected = await page.evaluate(() => window.getSelection()?.toString() ?? "");
    if (selected.includes(needle) || attempt === 2) return;
  }
}

async function dragOnce(page: Page, needle: string, occurrence: number): Promise<void> {
  const box = await page.evaluate(
    ({ needle, occurrence }) => {
      const root = document.querySelector(".ProseMirror")!;
      let seen = 0;
      for (const line of Array.from(root.querySelectorAll("p"))) {
        // the line's text nodes, skipping label tags (widgets), with their offsets in the line's text
        const nodes: Array<{ node: Text; from: number }> = [];
        let text = "";
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT, {
          acceptNode: (n) =>
            n.parentElement?.closest(".gl-tag") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
        });
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          nodes.push({ node: n as Text, from: text.length });
          text += (n as Text).data;
        }
        let at = text.indexOf(needle);
        while (at >= 0 && seen < occurrence) {
          seen++;
          at = text.indexOf(needle, at + 1);
        }
        if (at < 0) continue;
        const locate = (offset: number, preferNext: boolean) => {
          for (let i = 0; i < nodes.length; i++) {
            const { node, from } = nodes[i]!;
            const end = from + node.data.length;
            if (offset < end || (offset === end && !preferNext) || i === nodes.length - 1)
              return { node, offset: offset - from };
          }
          throw new Error("offset outside the line");
        };
        const a = locate(at, true);
        const b = locate(at + needle.length, false);
        const range = document.createRange();
        range.setStart(a.node, a.offset);
        range.setEnd(b.node, b.offset);
        a.node.parentElement?.scrollIntoView({ block: "center" });
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
        const r1 = rects[0]!;
        const r2 = rects[rects.length - 1]!;
        // just inside the first and the last glyph: the caret lands on the needle's edges
        return { x1: r1.left + 1, y1: r1.top + r1.height / 2, x2: r2.right - 1, y2: r2.top + r2.height / 2 };
      }
      throw new Error(`text ${JSON.stringify(needle)} not found`);
    },
    { needle, occurrence },
  );
  await page.mouse.move(box.x1, box.y1);
  await page.mouse.down();
  await page.mouse.move((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, { steps: 3 });
  await page.mouse.move(box.x2, box.y2, { steps: 3 });
  await page.mouse.up();
}

export interface ProjectedSpan {
  spanId: string;
  start: number;
  end: number;
  labelId: number;
  author: number | null;
}

/** The server's projection (the `annotations` table) of one layer: what agreement and export read. */
export function projectedSpans(server: TestServer, documentId: number, layer: string): ProjectedSpan[] {
  return server.db.$client
    .prepare(
      `SELECT span_id AS spanId, start, "end", label_id AS labelId, author FROM annotations
       WHERE document_id = ? AND layer = ? ORDER BY start, "end" DESC`,
    )
    .all(documentId, layer) as ProjectedSpan[];
}

/** How many records the browser holds in an IndexedDB database's `updates` store (y-indexeddb). */
export function indexedDbUpdates(page: Page, dbName: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("updates")) {
            db.close();
            resolve(0);
            return;
          }
          const req = db.transaction("updates", "readonly").objectStore("updates").count();
          req.onsuccess = () => {
            db.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error);
        };
      }),
    dbName,
  );
}
