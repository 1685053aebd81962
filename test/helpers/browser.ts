import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.GLOSS_CHROMIUM ?? "/usr/bin/chromium";

/** Where browser tests save screenshots (test artifacts, git-ignored). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "../../test-results");

/**
 * Launches headless Chromium with the flags this closed network needs. playwright's launch() gives every
 * browser a fresh temporary user-data dir of its own (and removes it on close).
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Saves a screenshot under test-results/ and returns its path. */
export function screenshotPath(name: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, `${name}.png`);
}
