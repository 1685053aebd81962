/**
 * One request to a Gloss server watched the way a live editor would feel it: the worst lateness of a 20 ms
 * timer on the server's event loop (this process) and the slowest of GET /api/health probes due every 20 ms,
 * sent from a client process of their own (reading megabytes of JSON is counted neither against the server's
 * event loop nor against the probes).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";

export const PROBE_EVERY_MS = 20;

export interface Probed {
  ms: number;
  /** Worst lateness of a 20 ms timer on the server's event loop (this process). */
  loopLagMs: number;
  /** Slowest GET /api/health due every 20 ms during the request, counted from when it was due. */
  probeMs: number;
  probes: number;
  /** The response body (empty when not read back: see `readBody`). */
  body: string;
  /** Bytes of the response body. */
  bytes: number;
  /** Highest resident set size of this (the server's) process sampled during the request. */
  peakRssMb: number;
}

/**
 * The clients, each in a process of its own (reading 4 MB of JSON is counted neither against the server's
 * event loop nor against the probes): `probe` sends GET /api/health due every 20 ms until its stdin closes,
 * `request` sends one GET and streams the body to a file (timed to its last byte); each prints its figures as
 * JSON.
 */
const CLIENT = `
// probe: url, "", every (ms); request: url, out (body file), path
const [mode, url, arg, extra] = process.argv.slice(1);
const fs = await import("node:fs");
if (mode === "probe") {
  // the first fetch of a process loads its HTTP client: not a wait on the server
  await fetch(url + "/api/health").then((r) => r.arrayBuffer());
  const t0 = performance.now();
  let probeMs = 0, probes = 0, stopped = false;
  process.stdin.on("data", () => {}).on("end", () => { stopped = true; });
  const pending = [];
  for (let i = 0; !stopped; i++) {
    const due = t0 + i * Number(extra);
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    probes++;
    pending.push(fetch(url + "/api/health").then((r) => r.arrayBuffer()).then(() => { probeMs = Math.max(probeMs, performance.now() - due); }));
  }
  await Promise.all(pending);
  console.log(JSON.stringify({ probeMs, probes }));
} else {
  const { Readable } = await import("node:stream");
  const { pipeline } = await import("node:stream/promises");
  // as the probe does: the first fetch of a process loads its HTTP client, not a wait on the server
  await fetch(url + "/api/health").then((r) => r.arrayBuffer());
  const t0 = performance.now();
  const res = await fetch(url + extra, { headers: { cookie: process.env.GLOSS_BENCH_COOKIE } });
  await pipeline(Readable.fromWeb(res.body), fs.createWriteStream(arg));
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ status: res.status, ms }));
}
`;

/** Runs one client process; resolves with what it printed, parsed. */
function client(
  args: string[],
  opts: { cookie?: string; untilEnd?: Promise<unknown> } = {},
): Promise<unknown> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CLIENT, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, GLOSS_BENCH_COOKIE: opts.cookie ?? "" },
  });
  if (opts.untilEnd) void opts.untilEnd.finally(() => child.stdin.end());
  else child.stdin.end();
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  return new Promise((resolve, reject) =>
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`client exited with ${code}`)),
    ),
  );
}

/** One GET of `path`, with the server's event loop (this process) and the health probes watched meanwhile. */
export async function probedRequest(
  url: string,
  path: string,
  cookie: string,
  out: string,
  opts: { readBody?: boolean } = {},
): Promise<Probed> {
  let loopLagMs = 0;
  let expected = performance.now() + PROBE_EVERY_MS;
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const now = performance.now();
    loopLagMs = Math.max(loopLagMs, now - expected);
    expected = now + PROBE_EVERY_MS;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, PROBE_EVERY_MS);
  try {
    const request = client(["request", url, out, path], { cookie }) as Promise<{
      status: number;
      ms: number;
    }>;
    const probing = client(["probe", url, "", String(PROBE_EVERY_MS)], { untilEnd: request }) as Promise<{
      probeMs: number;
      probes: number;
    }>;
    const [r, p] = await Promise.all([request, probing]);
    const bytes = fs.statSync(out).size;
    if (r.status !== 200)
      throw new Error(`${path}: ${r.status} ${fs.readFileSync(out, "utf8").slice(0, 200)}`);
    const body = opts.readBody === false ? "" : fs.readFileSync(out, "utf8");
    const peakRssMb = peakRss / 2 ** 20;
    return { ms: r.ms, loopLagMs, probeMs: p.probeMs, probes: p.probes, body, bytes, peakRssMb };
  } finally {
    clearInterval(timer);
  }
}
