/**
 * Import benchmark: a real Gloss server in a child process over a fresh SQLite file, fed through HTTP.
 *
 *   (a) a generated JSONL file of documents (1 in 100 a duplicate of an earlier line), streamed to
 *       POST /api/projects/:id/documents: time, response bytes, the server's peak RSS;
 *   (b) one Gloss JSONL line carrying `--spans` spans for one document, posted to
 *       POST /api/projects/:id/annotations/import into the shared layer: time, peak RSS (from an RSS
 *       measured after a forced GC), RSS 10 s after (and after a forced GC), the peak through those 10 s too
 *       (the written room unloads after the response: a flush and a compaction), and the longest wait of a
 *       GET /api/health polled meanwhile (the server's worst stall).
 *
 * Peak RSS is the kernel's high-water mark of the child (/proc/<pid>/status VmHWM), reset before each phase
 * through /proc/<pid>/clear_refs, and cross-checked by polling VmRSS.
 *
 *   pnpm bench:import [--docs 100000] [--spans 200000] [--settle 10] [--keyed] [--keep] [--source]
 *
 * (`--settle`: seconds to wait after the span import before reading the settled RSS; `--keyed`: every span
 * carries an id, as in a Gloss export; `--source`: run the server from its TypeScript sources through tsx
 * instead of the bundle `pnpm start` runs — the loader's compiled modules and source maps add ≈55 MB of RSS.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { openDb } from "../server/src/db/client";
import { seededRandom } from "../shared/src/formats/split";
import { seedDocument, seedProject, seedUser } from "../test/helpers/seed";
import { startChild } from "./lib/child";
import { benchOptions } from "./lib/options";

const o = benchOptions({
  numbers: { docs: 100_000, spans: 200_000, settle: 10 },
  flags: ["keep", "keyed", "source"],
});
for (const k of ["docs", "spans", "settle"] as const)
  if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`--${k} wants a positive integer`);
const DOCS = o.docs;
const SPANS = o.spans;
const AFTER_MS = o.settle * 1000;
const MiB = 2 ** 20;

// deterministic, so every run measures the same data
const rand = seededRandom(0x2545f491);
const WORDS = (
  "the minister said that government would not raise taxes next year but critics argued plan could fail " +
  "according to officials economy may grow slowly while prices remain high analysts expect inflation fall " +
  "spokesperson denied reports company was under investigation sources close talks suggested agreement"
).split(" ");

/** `n` words of text, with each word's [start, end) (ASCII: code points and UTF-16 agree). */
function words(n: number): { text: string; bounds: Array<[number, number]> } {
  const parts: string[] = [];
  const bounds: Array<[number, number]> = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    parts.push(w);
    bounds.push([at, at + w.length]);
    at += w.length + 1;
  }
  return { text: parts.join(" "), bounds };
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** VmRSS / VmHWM of a process, in bytes (zeros once it has exited: its exit is reported elsewhere). */
function memOf(pid: number): { rss: number; hwm: number } {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return { rss: 0, hwm: 0 };
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/**
 * Peak RSS of `pid` from now until `stop()`: the high-water mark (reset here unless `reset` is false, to
 * go on from an earlier watch) and a 20 ms poll.
 */
function watchPeak(pid: number, reset = true): { stop(): number } {
  try {
    if (reset) fs.writeFileSync(`/proc/${pid}/clear_refs`, "5"); // 5: reset VmHWM to the current RSS
  } catch {
    // not permitted here: the poll alone measures the peak
  }
  let polled = memOf(pid).rss;
  const timer = setInterval(() => {
    polled = Math.max(polled, memOf(pid).rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      const m = memOf(pid);
      return Math.max(polled, m.rss, m.hwm);
    },
  };
}

/** A one-line progress display: rewritten in place on a terminal, a line per quarter when piped. */
function progress(label: string, total: number, unit: string) {
  const tty = process.stdout.isTTY;
  let shown = 0;
  return {
    update(done: number) {
      const pct = Math.min(100, Math.floor((done / total) * 100));
      if (tty ? pct === shown : Math.floor(pct / 25) <= Math.floor(shown / 25)) return;
      shown = pct;
      const line = `  ${label}: ${pct}% (${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} ${unit})`;
      process.stdout.write(tty ? `\r${line}` : `${line}\n`);
    },
    done() {
      if (tty) process.stdout.write("\r\x1b[2K");
    },
  };
}

/** Writes the documents file: DOCS lines of about 500 characters, every 100th repeating an earlier line. */
function writeDocsFile(file: string): number {
  const fd = fs.openSync(file, "w");
  const lines: string[] = [];
  let bytes = 0;
  let buffered: string[] = [];
  for (let i = 0; i < DOCS; i++) {
    let line: string;
    if (i % 100 === 99) line = lines[Math.floor(rand() * lines.length)]!;
    else {
      line = JSON.stringify({ name: `article-${i}`, text: `${i}: ${words(80).text}.`, meta: { n: i } });
      if (lines.length < 1000) lines.push(line);
    }
    buffered.push(line);
    if (buffered.length === 1000 || i === DOCS - 1) {
      const chunk = `${buffered.join("\n")}\n`;
      fs.writeSync(fd, chunk);
      bytes += Buffer.byteLength(chunk);
      buffered = [];
    }
  }
  fs.closeSync(fd);
  return bytes;
}

/** The annotation file: one Gloss JSONL line with SPANS distinct spans (1–4 words, four labels) over `text`. */
function spansFile(documentId: number, text: string, bounds: Array<[number, number]>): string {
  const labels = ["claim", "denial", "attribution", "speculation"];
  const spans: string[] = [];
  const n = bounds.length - 4;
  for (let i = 0; i < SPANS; i++) {
    // distinct by construction: (first word, width, label) never repeats while SPANS <= 16 n
    const first = i % n;
    const width = Math.floor(i / n) % 4;
    const label = labels[Math.floor(i / (4 * n)) % 4]!;
    const start = bounds[first]![0];
    const end = bounds[first + width]![1];
    const id = o.keyed ? { id: `s${i}` } : {};
    spans.push(JSON.stringify({ ...id, start, end, label, text: text.slice(start, end) }));
  }
  return `{"id":${documentId},"offsets":"codepoint","spans":[${spans.join(",")}]}\n`;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-import-"));
  const keep = o.keep;
  try {
    // the world: a manager, a shared-mode project, and the long document the spans go into
    const db = openDb(path.join(dir, "gloss.db"));
    const user = seedUser(db, { admin: true });
    const project = seedProject(db, { mode: "shared", members: [{ user, role: "manager" }] });
    // enough words for SPANS distinct spans (16 per word), and at least 20,000
    const long = words(Math.max(20_000, Math.ceil(SPANS / 16) + 8));
    const target = seedDocument(db, project.id, `${long.text}.`, { name: "long.txt" });
    db.$client.close();

    const docsFile = path.join(dir, "docs.jsonl");
    const docsBytes = writeDocsFile(docsFile);
    const annFile = path.join(dir, "spans.jsonl");
    fs.writeFileSync(annFile, spansFile(target.id, target.text, long.bounds));
    const annBytes = fs.statSync(annFile).size;
    process.stdout.write(
      `generated ${DOCS.toLocaleString("en-US")} documents (${mb(docsBytes)}) and ${SPANS.toLocaleString("en-US")} spans (${mb(annBytes)}) in ${dir}\n`,
    );

    const server = await startChild<{ url: string }>("glossServer.ts", {
      GLOSS_BENCH_DATA_DIR: dir,
      ...(o.source ? { GLOSS_BENCH_SOURCE: "1" } : {}),
    });
    const pid = server.proc.pid!;
    const auth = { authorization: `Bearer ${user.token}` };
    try {
      process.stdout.write(
        `server pid ${pid} (${o.source ? "from the sources, through tsx" : "the built bundle, server/dist"}), RSS at start ${mb(memOf(pid).rss)}\n\n`,
      );

      // (a) documents, streamed
      process.stdout.write(`(a) ${DOCS.toLocaleString("en-US")}-line JSONL document import\n`);
      const bar = progress("uploading", docsBytes, "bytes");
      let sent = 0;
      const stream = fs.createReadStream(docsFile, { highWaterMark: 1 << 20 });
      stream.on("data", (chunk) => {
        sent += chunk.length;
        bar.update(sent);
      });
      const peakA = watchPeak(pid);
      const t0 = performance.now();
      const res = await fetch(`${server.ready.url}/api/projects/${project.id}/documents?name=bench.jsonl`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/x-ndjson" },
        body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
        duplex: "half",
      } as RequestInit);
      const body = new Uint8Array(await res.arrayBuffer());
      const msA = performance.now() - t0;
      const rssA = peakA.stop();
      bar.done();
      if (res.status !== 201)
        throw new Error(`document import: ${res.status} ${new TextDecoder().decode(body)}`);
      const summary = JSON.parse(new TextDecoder().decode(body)) as {
        imported: unknown[] | { count: number };
        skipped: unknown[] | { count: number };
      };
      const countOf = (v: unknown[] | { count: number }) => (Array.isArray(v) ? v.length : v.count);
      process.stdout.write(
        `  done: ${secs(msA)}, ${countOf(summary.imported).toLocaleString("en-US")} imported, ${countOf(summary.skipped).toLocaleString("en-US")} skipped; ` +
          `response ${body.byteLength.toLocaleString("en-US")} bytes; server peak RSS ${mb(rssA)}\n\n`,
      );

      // (b) spans into one layer of one document
      process.stdout.write(
        `(b) ${SPANS.toLocaleString("en-US")} spans into the shared layer of one document (Gloss JSONL)\n`,
      );
      // phase (a)'s garbage is collected first, so this phase's peak is its own
      const before = (await server.memory()).rss;
      const peakB = watchPeak(pid);
      const t1 = performance.now();
      // a concurrent client: the longest a request waits while the import runs is the server's worst stall
      let importing = true;
      let longestWait = 0;
      const probe = (async () => {
        while (importing) {
          const a = performance.now();
          await (await fetch(`${server.ready.url}/api/health`)).arrayBuffer();
          longestWait = Math.max(longestWait, performance.now() - a);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const ticker = setInterval(() => {
        const line = `  importing… ${secs(performance.now() - t1)}, server RSS ${mb(memOf(pid).rss)}`;
        process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
      }, 1000);
      const resB = await fetch(
        `${server.ready.url}/api/projects/${project.id}/annotations/import?format=gloss&layer=shared`,
        {
          method: "POST",
          headers: { ...auth, "content-type": "application/octet-stream" },
          body: fs.readFileSync(annFile),
        },
      );
      const textB = await resB.text();
      const msB = performance.now() - t1;
      importing = false;
      await probe;
      clearInterval(ticker);
      const rssB = peakB.stop();
      if (process.stdout.isTTY) process.stdout.write("\r\x1b[2K");
      if (resB.status !== 200) throw new Error(`annotation import: ${resB.status} ${textB.slice(0, 2000)}`);
      const result = JSON.parse(textB) as { spans: number; skipped: number };
      if (result.spans !== SPANS) throw new Error(`imported ${result.spans} spans, expected ${SPANS}`);
      process.stdout.write(
        `  done: ${secs(msB)}, ${result.spans.toLocaleString("en-US")} spans; server RSS before (after a GC) ${mb(before)}, peak ${mb(rssB)}; ` +
          `longest wait of a concurrent GET /api/health ${secs(longestWait)}\n`,
      );
      process.stdout.write(`  waiting ${AFTER_MS / 1000} s…\n`);
      // still watched: once the import has answered, the room it wrote unloads (flush, compaction)
      const peakAfter = watchPeak(pid, false);
      await new Promise((resolve) => setTimeout(resolve, AFTER_MS));
      const rssAfter = Math.max(rssB, peakAfter.stop());
      const idle = memOf(pid).rss;
      const gced = (await server.memory()).rss;
      process.stdout.write(
        `  RSS ${AFTER_MS / 1000} s after: ${mb(idle)} (after a forced GC: ${mb(gced)}); peak through the import and those ${AFTER_MS / 1000} s ${mb(rssAfter)}\n\n`,
      );

      process.stdout.write(
        "summary\n" +
          `  documents: ${secs(msA)}, response ${body.byteLength.toLocaleString("en-US")} bytes, peak RSS ${mb(rssA)}\n` +
          `  spans:     ${secs(msB)}, peak RSS ${mb(rssB)} (with the ${AFTER_MS / 1000} s after: ${mb(rssAfter)}), RSS ${AFTER_MS / 1000} s after ${mb(idle)} (GC: ${mb(gced)}), longest stall ${secs(longestWait)}\n`,
      );
    } finally {
      await server.stop();
    }
  } finally {
    if (keep) process.stdout.write(`kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
