/**
 * `pnpm bench:sync`: Gloss's live layers against the reference y-websocket server
 * (`@y/websocket-server@0.1.1`, in memory) and a persisting peer, Hocuspocus 3 with its database extension on
 * SQLite (default 2 s store debounce; its clients are HocuspocusProviders), same workload, same run; then
 * what each persisting server keeps of updates already delivered when it is killed with SIGKILL. Each server
 * runs in its own child process so its CPU and memory are its own; the clients (real providers) run here.
 *
 *   npx tsx bench/sync.ts [--runs 3]
 *
 * --runs: each latency workload runs that many times on fresh documents, the servers in an order that
 * rotates from run to run, so a drift of the (shared) machine lands on all three alike. Each run's figures
 * print as it finishes; the summary gives the median (min–max) over the runs and ratios of the medians.
 * Prints figures and the Gloss/reference and Gloss/Hocuspocus ratios next to the targets; it asserts nothing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LayerContext } from "../shared/src/layer";
import { type ChildServer, startChild } from "./lib/child";
import { measureKill } from "./lib/durability";
import { benchOptions } from "./lib/options";
import { BENCH_TEXT, seedBenchWorld } from "./lib/seed";
import { int, median, ms, ratio, type Summary, spread, summarize, table } from "./lib/stats";
import {
  type BenchTarget,
  type DurableResult,
  measureDurable,
  measureIdle,
  measureLatency,
} from "./lib/workload";

const MAX_RUNS = 15;
const RUNS = benchOptions({ numbers: { runs: 3 } }).runs;
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > MAX_RUNS) {
  process.stderr.write(`bench:sync: --runs takes a whole number from 1 to ${MAX_RUNS}\n`);
  process.exit(1);
}

const CLIENTS = 200;
const WORKLOADS = [
  { name: "2 clients, 1 doc", key: "two", perDoc: 2, rounds: 1000 },
  { name: "20 clients, 1 doc", key: "twenty", perDoc: 20, rounds: 400 },
  { name: "200 clients, 1 doc", key: "twoHundred", perDoc: 200, rounds: 60 },
  { name: "50 docs × 4 clients", key: "spread", perDoc: 4, rounds: 100 },
] as const;
const DURABLE_PER_ROOM = 400; // × 50 rooms
const IDLE_FIRST = 500; // idle connections before the first memory sample…
const IDLE_TOTAL = 2000; // …and the second: the per-connection figure is the slope between them

// Every WebsocketProvider adds a process 'exit' listener; 200 of them are expected here.
process.setMaxListeners(0);

// Bounded: the whole benchmark gives up after two minutes plus one a latency run (one takes seconds).
const GIVE_UP_S = 120 + 60 * RUNS;
setTimeout(() => {
  process.stderr.write(`bench:sync: gave up after ${GIVE_UP_S} s\n`);
  process.exit(2);
}, GIVE_UP_S * 1000).unref();

const started = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-sync-"));
const strictDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-sync-strict-"));
const children: Array<ChildServer<{ url: string }>> = [];

/** One latency run of one server: its percentiles and server CPU per delivered update. */
interface RunFigures {
  s: Summary;
  cpu: number;
}
/** The medians over the runs of one workload on one server. */
interface Medians {
  p50: number;
  p99: number;
  cpu: number;
}

try {
  log("seeding");
  const world = seedBenchWorld(dataDir, CLIENTS, RUNS);
  const ctx: LayerContext = { text: BENCH_TEXT, labelIds: new Set(world.labelIds) };
  const gloss = await startChild<{ url: string }>("glossServer.ts", { GLOSS_BENCH_DATA_DIR: dataDir });
  children.push(gloss);
  const reference = await startChild<{ url: string }>("referenceServer.ts", {});
  children.push(reference);
  const hocuspocusDb = path.join(dataDir, "hocuspocus.db");
  const hocuspocus = await startChild<{ url: string }>("hocuspocusServer.ts", {
    HOCUSPOCUS_BENCH_DB: hocuspocusDb,
  });
  children.push(hocuspocus);
  const target = (name: string, child: ChildServer<{ url: string }>): BenchTarget => ({
    name,
    url: child.ready.url,
    auth: world.auth,
    cpu: () => child.cpu(),
    memory: () => child.memory(),
  });
  const servers = [target("gloss", gloss), target("reference", reference)] as const;
  const hocuspocusTarget: BenchTarget = { ...target("hocuspocus", hocuspocus), protocol: "hocuspocus" };
  const latencyServers = [...servers, hocuspocusTarget];

  process.stdout.write(
    `Latency runs (${RUNS} per workload, server order rotating; p50/p95/p99/max in ms, server CPU per delivered update):\n`,
  );
  const rows: string[][] = [["workload", "server", "p50 ms", "p99 ms", "CPU µs/delivery", "deliveries/run"]];
  const results = new Map<string, { gloss: Medians; reference: Medians; hocuspocus: Medians }>();
  for (const [i, w] of WORKLOADS.entries()) {
    const runs: Record<string, RunFigures[]> = { gloss: [], reference: [], hocuspocus: [] };
    for (let run = 0; run < RUNS; run++) {
      // Rotated by run (and by workload), so each server takes each place in the order alike often.
      const shift = (i + run) % latencyServers.length;
      const order = [...latencyServers.slice(shift), ...latencyServers.slice(0, shift)];
      for (const t of order) {
        log(`${w.name}, run ${run + 1}/${RUNS}: ${t.name}`);
        const r = await measureLatency(t, world.latency[run]![w.key], w.perDoc, w.rounds, ctx);
        const x = { s: summarize(r.samples), cpu: r.cpuUs / r.deliveries };
        runs[t.name]!.push(x);
        process.stdout.write(
          `  ${`run ${run + 1}/${RUNS}`.padEnd(10)} ${w.name.padEnd(20)} ${t.name.padEnd(10)}` +
            ` p50 ${ms(x.s.p50).padStart(5)}  p95 ${ms(x.s.p95).padStart(5)}  p99 ${ms(x.s.p99).padStart(5)}` +
            `  max ${ms(x.s.max).padStart(5)}  CPU ${x.cpu.toFixed(1).padStart(6)} µs  (${int(x.s.n)} deliveries)\n`,
        );
      }
    }
    const medians: Record<string, Medians> = {};
    for (const [name, xs] of Object.entries(runs)) {
      const p50 = xs.map((x) => x.s.p50);
      const p99 = xs.map((x) => x.s.p99);
      const cpu = xs.map((x) => x.cpu);
      medians[name] = { p50: median(p50), p99: median(p99), cpu: median(cpu) };
      rows.push([
        name === "gloss" ? w.name : "",
        name,
        spread(p50, ms),
        spread(p99, ms),
        spread(cpu, (v) => v.toFixed(1)),
        int(xs[0]?.s.n ?? 0),
      ]);
    }
    const g = medians.gloss!;
    results.set(w.name, { gloss: g, reference: medians.reference!, hocuspocus: medians.hocuspocus! });
    /** Gloss's medians over a peer's, column by column. */
    const ratios = (name: string, x: Medians) => [
      "",
      `gloss/${name}`,
      ratio(g.p50, x.p50),
      ratio(g.p99, x.p99),
      ratio(g.cpu, x.cpu),
      "",
    ];
    rows.push(ratios("ref", medians.reference!), ratios("hocuspocus", medians.hocuspocus!));
  }

  log("durable updates: gloss");
  const durable = await measureDurable(
    {
      ...servers[0],
      progress: async () => ({ persisted: (await gloss.metrics<{ persisted: number }>()).persisted }),
    },
    world.docs.durable,
    DURABLE_PER_ROOM,
    ctx,
  );
  // The same updates as raw Hocuspocus frames; "durable" is stored by its database extension, which it does
  // 2 s after a document's last change (its default debounce), so the time in memory is reported too.
  log("durable updates: hocuspocus");
  const durableHocuspocus = await measureDurable(
    {
      ...hocuspocusTarget,
      progress: () => hocuspocus.metrics<{ persisted: number; applied: number }>(),
    },
    world.docs.durable,
    DURABLE_PER_ROOM,
    ctx,
  );
  await hocuspocus.stop();
  // The same durable workload with GLOSS_DURABILITY=strict (synchronous=FULL: an fsync per commit).
  log("durable updates: gloss, strict durability");
  const strictWorld = seedBenchWorld(strictDir, CLIENTS, 0);
  const strict = await startChild<{ url: string }>("glossServer.ts", {
    GLOSS_BENCH_DATA_DIR: strictDir,
    GLOSS_DURABILITY: "strict",
  });
  children.push(strict);
  const strictDurable = await measureDurable(
    {
      ...target("gloss-strict", strict),
      auth: strictWorld.auth,
      progress: async () => ({ persisted: (await strict.metrics<{ persisted: number }>()).persisted }),
    },
    strictWorld.docs.durable,
    DURABLE_PER_ROOM,
    ctx,
  );
  const idle: Record<string, Awaited<ReturnType<typeof measureIdle>>> = {};
  for (const t of servers) {
    log(`idle connections: ${t.name}`);
    idle[t.name] = await measureIdle(t, world.docs.idle, IDLE_FIRST, IDLE_TOTAL);
  }

  // The first Gloss server must be gone before another one opens its data.
  await gloss.stop();
  // Durability: 30 updates in each of 3 rooms, every one delivered to another client, then SIGKILL.
  const killRooms = world.docs.kill;
  log("kill -9: gloss");
  const killedGloss = await measureKill(
    {
      name: "gloss",
      protocol: "y-websocket",
      auth: world.auth,
      start: () => startChild("glossServer.ts", { GLOSS_BENCH_DATA_DIR: dataDir }),
    },
    killRooms,
    30,
    ctx,
  );
  log("kill -9: hocuspocus");
  const killedHocuspocus = await measureKill(
    {
      name: "hocuspocus",
      protocol: "hocuspocus",
      auth: world.auth,
      start: () => startChild("hocuspocusServer.ts", { HOCUSPOCUS_BENCH_DB: hocuspocusDb }),
    },
    killRooms,
    30,
    ctx,
  );

  const perSecond = (d: DurableResult) => d.updates / d.seconds;
  const durablePerSecond = perSecond(durable);
  const hocuspocusApplied = durableHocuspocus.appliedSeconds;
  const twenty = results.get("20 clients, 1 doc")!;
  const p99Ok = [...results.values()].every((r) => r.gloss.p99 <= 1.1 * r.reference.p99);
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  const out = [
    "",
    `Sync benchmark: Gloss vs @y/websocket-server 0.1.1 and Hocuspocus 3.4 (database extension, SQLite) — same workload, same run, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    "Latency: a span set on one client until each other client's observer sees it. CPU: server process time per delivered update.",
    RUNS === 1
      ? "One run per workload (--runs 3 or more for medians)."
      : `Median (min–max) over ${RUNS} runs per workload; ratios are of the medians.`,
    "",
    table(rows),
    "",
    table(
      [
        [
          "durable updates/s (gloss, 50 rooms)",
          `${int(durablePerSecond)}  (${int(durable.updates)} updates in ${durable.seconds.toFixed(2)} s; server CPU ${durable.cpuUsPerUpdate.toFixed(1)} µs/update)`,
        ],
        [
          "durable updates/s (hocuspocus, 50 rooms)",
          `${int(perSecond(durableHocuspocus))}  (stored in ${durableHocuspocus.seconds.toFixed(2)} s, 2 s debounce included; all applied in memory after ${hocuspocusApplied === undefined ? "–" : hocuspocusApplied.toFixed(2)} s; server CPU ${durableHocuspocus.cpuUsPerUpdate.toFixed(1)} µs/update)`,
        ],
        [
          "gloss/hocuspocus",
          `${ratio(durablePerSecond, perSecond(durableHocuspocus))} updates/s, ${ratio(durable.cpuUsPerUpdate, durableHocuspocus.cpuUsPerUpdate)} server CPU per update`,
        ],
        [
          "durable updates/s, GLOSS_DURABILITY=strict",
          `${int(strictDurable.updates / strictDurable.seconds)}  (synchronous=FULL; server CPU ${strictDurable.cpuUsPerUpdate.toFixed(1)} µs/update)`,
        ],
        [
          "updates kept after kill -9 (each already delivered)",
          `gloss ${killedGloss.kept}/${killedGloss.sent}, hocuspocus ${killedHocuspocus.kept}/${killedHocuspocus.sent} (Gloss commits before fan-out; Hocuspocus stores 2 s after the last change)`,
        ],
        [
          "heap+external per idle connection",
          `gloss ${int(idle.gloss!.heapPerConn)} B, reference ${int(idle.reference!.heapPerConn)} B (${ratio(idle.gloss!.heapPerConn, idle.reference!.heapPerConn)}; slope from ${IDLE_FIRST} to ${IDLE_TOTAL} connections)`,
        ],
        [
          "rss per idle connection",
          `gloss ${int(idle.gloss!.rssPerConn)} B, reference ${int(idle.reference!.rssPerConn)} B`,
        ],
      ],
      2,
    ),
    "",
    "Targets:",
    `  ${mark(p99Ok)} median p99 ≤ 1.1× reference in every workload (${[...results.entries()].map(([k, r]) => `${k}: ${ratio(r.gloss.p99, r.reference.p99)}`).join("; ")})`,
    `  ${mark(twenty.gloss.p50 <= 3)} median p50 ≤ 3 ms at 20 clients per document (${ms(twenty.gloss.p50)} ms)`,
    `  ${mark(durablePerSecond >= 20_000)} ≥ 20,000 durable updates per second (${int(durablePerSecond)})`,
    `  ${mark(idle.gloss!.heapPerConn <= 3072)} ≤ 3 KB per idle connection (${int(idle.gloss!.heapPerConn)} B heap+external)`,
    "",
  ];
  process.stdout.write(out.join("\n"));
} finally {
  for (const c of children) await c.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(strictDir, { recursive: true, force: true });
  log("done");
}
// Providers keep handles open after their servers are gone; the figures are printed.
process.exit(0);
