/**
 * `pnpm bench:editor`: the annotation editor in headless Chromium over a ~200 KB document with 3,000 spans
 * (a third overlapping). Builds client/editor-bench.html itself (`vite build --mode bench`, into a temp dir, so
 * the product's client/dist never holds it), serves that, opens the page and prints open-to-interactive,
 * hotkey-label-to-paint and scrolling figures against the targets.
 *
 *   npx tsx bench/editor.ts [--bytes 200000] [--spans 3000] [--relations 200] [--frames 600] [--step 240]
 *     [--labels 30] [--screenshots]
 *
 * --bytes/--spans/--relations size the document; --frames bounds the scroll (--step px a frame from the top,
 * 240 by default, at most that many frames, so a 5 MB document is not scrolled end to end; a large step, e.g.
 * 20000, lands every frame on text not laid out before, as dragging the scrollbar does). Each phase prints
 * as it finishes.
 *
 * --screenshots also saves PNGs of the editor (scrolled far and to the end, overlaps, palette, hover card,
 * selected span, shared mode, keyboard help) under test-results/.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { launchBrowser, screenshotPath } from "../test/helpers/browser";

/** What client/src/editor/bench/main.tsx exposes on the page. */
interface BenchPage {
  ready: boolean;
  opens: number[];
  labelTimes: number[];
  spanCount: number;
  overlapping: number;
  relationCount: number;
  textLength: number;
  lastSpanId: string;
  handle: { selectSpan(id: string | null): void } | null;
  prepare(i: number): void;
  scroll(step: number, maxFrames: number): Promise<number[]>;
  reopen(): Promise<number>;
}

declare global {
  interface Window {
    __bench: BenchPage;
  }
}

const CLIENT = path.resolve(import.meta.dirname, "../client");
const args = process.argv.slice(2);
/** The number after `--name`, or `fallback` when absent. */
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};
const LABELS = opt("labels", 30) || 30;
const BYTES = opt("bytes", 200_000);
const SPANS = opt("spans", 3000);
const RELATIONS = opt("relations", 200);
const FRAMES = opt("frames", 600) || 600;
const STEP = opt("step", 240) || 240;
/** Labellings before the measured ones (JIT warm-up, collection of the reopened editors' garbage). */
const WARMUP = 5;
const SCREENSHOTS = args.includes("--screenshots");
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".map": "application/json",
  ".svg": "image/svg+xml",
};

/** Builds the benchmark page (client's Vite, bench mode) into a new temp dir; returns the dir. */
function buildBenchPage(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-editor-bench-"));
  const vite = path.join(CLIENT, "node_modules/.bin/vite");
  execFileSync(vite, ["build", "--mode", "bench", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: CLIENT,
    stdio: "inherit",
  });
  return out;
}

/** A static file server for `dist` on 127.0.0.1, port chosen by the OS. */
function serve(dist: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  const dist = buildBenchPage();
  try {
    await measure(dist);
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
}

/** Serves the built page at `dist`, drives it in Chromium and prints the figures. */
async function measure(dist: string) {
  const server = await serve(dist);
  const { browser, close } = await launchBrowser().catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      // Failed loads are reported (with their address) by the response handler below.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) errors.push(`${r.status()} ${r.url()}`);
    });
    const phase = (name: string, value: string) => console.log(`  [${name}] ${value}`);
    await page.goto(`${server.url}/editor-bench.html?bytes=${BYTES}&spans=${SPANS}&relations=${RELATIONS}`);
    await page.waitForFunction(() => window.__bench?.ready, null, { timeout: 120_000 });
    phase("first open", ms(await page.evaluate(() => window.__bench.opens[0]!)));
    const reopens: number[] = [];
    for (let i = 0; i < 3; i++) reopens.push(await page.evaluate(() => window.__bench.reopen()));
    phase("reopens", reopens.map(ms).join(", "));
    const info = await page.evaluate(() => {
      const b = window.__bench;
      return {
        spans: b.spanCount,
        overlapping: b.overlapping,
        relations: b.relationCount,
        length: b.textLength,
        firstOpen: b.opens[0]!,
      };
    });

    // Hotkey labelling: select a stretch of words, press "1", time keydown → first frame with the span drawn.
    await page.locator(".ProseMirror").click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < WARMUP + LABELS; i++) {
      await page.evaluate((n) => window.__bench.prepare(n), i);
      await page.keyboard.press("1");
      await page.waitForFunction((n) => window.__bench.labelTimes.length > n, i, { timeout: 10_000 });
    }
    const allLabelTimes = await page.evaluate(() => window.__bench.labelTimes);
    const labelTimes = allLabelTimes.slice(WARMUP);
    phase("hotkey → paint p50 / p95", `${ms(quantile(labelTimes, 0.5))} / ${ms(quantile(labelTimes, 0.95))}`);

    const frames = await page.evaluate(({ step, n }) => window.__bench.scroll(step, n), {
      step: STEP,
      n: FRAMES,
    });
    const scrolled = frames.reduce((a, b) => a + b, 0);
    phase("scroll", `${frames.length} frames, ${frames.filter((f) => f > 50).length} > 50 ms`);
    const heap = await page.evaluate(
      () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    );
    phase("JS heap", `${(heap / 1e6).toFixed(0)} MB`);
    if (SCREENSHOTS) await screenshots(page);

    console.log(
      `Editor benchmark — ${(info.length / 1000).toFixed(0)} K chars, ${info.spans} spans (${info.overlapping} overlapping), ${info.relations} relations, Chromium headless`,
    );
    const rows: Array<[string, string, string, string]> = [
      ["open → interactive (first)", ms(info.firstOpen), "< 1000 ms", (info.firstOpen / 1000).toFixed(2)],
      [
        "open → interactive (reopen, median of 3)",
        ms(quantile(reopens, 0.5)),
        "< 1000 ms",
        (quantile(reopens, 0.5) / 1000).toFixed(2),
      ],
      ["hotkey label → painted, first (cold, not counted)", ms(allLabelTimes[0]!), "", ""],
      [
        `hotkey label → painted p50 (n=${labelTimes.length}, after ${WARMUP} warm-up)`,
        ms(quantile(labelTimes, 0.5)),
        "< 50 ms",
        (quantile(labelTimes, 0.5) / 50).toFixed(2),
      ],
      [
        "hotkey label → painted p95",
        ms(quantile(labelTimes, 0.95)),
        "< 50 ms",
        (quantile(labelTimes, 0.95) / 50).toFixed(2),
      ],
      [`scroll: frames (${(scrolled / 1000).toFixed(1)} s, ${STEP} px/frame)`, String(frames.length), "", ""],
      [
        "scroll: frame p50 / p95",
        `${ms(quantile(frames, 0.5))} / ${ms(quantile(frames, 0.95))}`,
        "≈ 16.7 ms",
        "",
      ],
      [
        "scroll: frames > 16.7 ms (> 20 ms)",
        `${frames.filter((f) => f > 16.7).length} (${frames.filter((f) => f > 20).length})`,
        "few",
        "",
      ],
      ["scroll: frames > 50 ms", String(frames.filter((f) => f > 50).length), "0", ""],
      ["JS heap used (after scrolling)", `${(heap / 1e6).toFixed(0)} MB`, "", ""],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`${"measure".padEnd(w)}  ${"value".padStart(16)}  ${"target".padEnd(10)}  ratio`);
    for (const [name, value, target, ratio] of rows) {
      console.log(`${name.padEnd(w)}  ${value.padStart(16)}  ${target.padEnd(10)}  ${ratio}`);
    }
    const distinct = [...new Set(errors)];
    if (distinct.length > 0)
      console.log(`page errors (${errors.length}):\n  ${distinct.slice(0, 10).join("\n  ")}`);
    const out = path.resolve(import.meta.dirname, "results");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(
      path.join(out, "editor.json"),
      JSON.stringify({ info, reopens, labelTimes: allLabelTimes, warmup: WARMUP, frames, heap }, null, 1),
    );
  } finally {
    await close();
    await server.close();
  }
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchBrowser>>["browser"]["newPage"]>>;

/** PNGs of the editor for a human to look at (test-results/ is git-ignored). */
async function screenshots(page: Page) {
  await page.setViewportSize({ width: 1100, height: 760 });
  // The benchmark's document scrolled a long way and to its end (a long text's chunks are laid out only
  // near the screen: what is drawn there must look like the top does).
  const settle = () =>
    page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.evaluate(() => {
    const el = document.querySelector(".gl-scroll")!;
    el.scrollTo(0, (el.scrollHeight - el.clientHeight) * 0.6);
  });
  await settle();
  await settle();
  await page.screenshot({ path: screenshotPath("editor-scrolled") });
  // As the sidebar does: select the last span and scroll to it.
  await page.evaluate(() => window.__bench.handle?.selectSpan(window.__bench.lastSpanId));
  await settle();
  await settle();
  await page.screenshot({ path: screenshotPath("editor-end") });
  await page.evaluate(() => document.querySelector(".gl-scroll")!.scrollTo(0, 0));
  // Hover a span that has another stacked on it, for the hover card.
  const stacked = page.locator(".gl-span .gl-span:not(.gl-start)").first();
  await stacked.hover();
  await page.waitForSelector(".gl-card");
  await page.screenshot({ path: screenshotPath("editor-hover") });
  await stacked.click();
  await page.waitForSelector(".gl-selected");
  await page.mouse.move(5, 5);
  await page.screenshot({ path: screenshotPath("editor-selected") });
  await page.keyboard.press("?");
  await page.waitForSelector(".gl-help");
  await page.screenshot({ path: screenshotPath("editor-help") });
  await page.keyboard.press("Escape");
  // Shared mode: authors on the tags, another person's selection drawn faintly.
  await page.goto(`${page.url().split("?")[0]}?authors&presence&bytes=20000&spans=300&relations=20`);
  await page.waitForFunction(() => window.__bench?.ready);
  await page.waitForSelector(".gl-remote");
  await page.screenshot({ path: screenshotPath("editor-shared") });
  const names = [
    "editor-scrolled",
    "editor-end",
    "editor-hover",
    "editor-selected",
    "editor-help",
    "editor-shared",
  ];
  console.log(`screenshots: ${names.map(screenshotPath).join(", ")}`);
}

await main();
