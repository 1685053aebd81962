/**
 * The world of a browser test file: one real server (in-memory SQLite) and one Chromium, started before the
 * file's tests and closed after them. `useBrowserWorld()` registers the hooks; `server` and `browser` are
 * live bindings, set once the hooks ran (vitest gives every test file its own module instance).
 */
import { afterAll, beforeAll } from "vitest";
import { launchBrowser } from "./browser";
import { startServer, type TestServer } from "./server";

export let server: TestServer;
export let browser: Awaited<ReturnType<typeof launchBrowser>>;

export function useBrowserWorld(): void {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}
