/**
 * `pnpm bench:sync`: Gloss's live layers against the reference y-websocket server
 * (`@y/websocket-server@0.1.1`, in memory) and a persisting peer, Hocuspocus 3 with its database extension on
 * SQLite (default 2 s store debounce; its clients are HocuspocusProviders), same workload, same run; then
 * what each persisting server keeps of updates already delivered when it is killed with SIGKILL. Each server runs in its own child process so its
 * CPU and memory are its own; the clients (real WebsocketProviders) run here. Prints figures and the
 * Gloss/reference ratios next to the targets; it asserts nothing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LayerContext } from "../shared/src/layer";
import { type ChildServer, startChild } from "./lib/child";
import { measureKill } from "./lib/durability";
import { BENCH_TEXT, seedBenchWorld } from "./lib/seed";
import { int, ms, ratio, type Summary, summarize, table } from "./lib/stats";
import { type BenchTarget, measureDurable, measureIdle, measureLatency } from "./lib/workload";

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

// Bounded: the whole benchmark gives up after three minutes.
setTimeout(() => {
  process.stderr.write("bench:sync: gave up after 180 s\n");
  process.exit(2);
}, 180_000).unref();

const started = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-sync-"));
const strictDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-sync-strict-"));
const children: Array<ChildServer<{ url: string }>> = [];

try {
  log("seeding");
  const world = seedBenchWorld(dataDir, CLIENTS);
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
  const latencyServers = [
    ...servers,
    { ...target("hocuspocus", hocuspocus), protocol: "hocuspocus" as const },
  ];

  const rows: string[][] = [
    ["workload", "server", "p50 ms", "p95 ms", "p99 ms", "max ms", "CPU µs/delivery", "deliveries"],
  ];
  const results = new Map<string, { gloss: Summary; reference: Summary }>();
  for (const [i, w] of WORKLOADS.entries()) {
    const got: Record<string, { s: Summary; cpu: number }> = {};
    // Alternate which server goes first, so neither always runs on a warmer (or busier) machine.
    const order = i % 2 ? [...latencyServers].reverse() : latencyServers;
    for (const t of order) {
      log(`${w.name}: ${t.name}`);
      const r = await measureLatency(t, world.docs[w.key], w.perDoc, w.rounds, ctx);
      got[t.name] = { s: summarize(r.samples), cpu: r.cpuUs / r.deliveries };
    }
    const g = got.gloss!;
    const ref = got.reference!;
    const hp = got.hocuspocus!;
    results.set(w.name, { gloss: g.s, reference: ref.s });
    const line = (name: string, x: { s: Summary; cpu: number }) => [
      name === "gloss" ? w.name : "",
      name,
      ms(x.s.p50),
      ms(x.s.p95),
      ms(x.s.p99),
      ms(x.s.max),
      x.cpu.toFixed(1),
      int(x.s.n),
    ];
    rows.push(line("gloss", g), line("reference", ref), line("hocuspocus", hp));
    /** Gloss's figures over a peer's, column by column. */
    const ratios = (name: string, x: { s: Summary; cpu: number }) => [
      "",
      `gloss/${name}`,
      ...(["p50", "p95", "p99", "max"] as const).map((k) => ratio(g.s[k], x.s[k])),
      ratio(g.cpu, x.cpu),
      "",
    ];
    rows.push(ratios("ref", ref), ratios("hocuspocus", hp));
  }
  await hocuspocus.stop();

  log("durable updates: gloss");
  const durable = await measureDurable(
    { ...servers[0], persisted: async () => (await gloss.metrics<{ persisted: number }>()).persisted },
    world.docs.durable,
    DURABLE_PER_ROOM,
    ctx,
  );
  // The same durable workload with GLOSS_DURABILITY=strict (synchronous=FULL: an fsync per commit).
  log("durable updates: gloss, strict durability");
  const strictWorld = seedBenchWorld(strictDir, CLIENTS);
  const strict = await startChild<{ url: string }>("glossServer.ts", {
    GLOSS_BENCH_DATA_DIR: strictDir,
    GLOSS_DURABILITY: "strict",
  });
  children.push(strict);
  const strictDurable = await measureDurable(
    {
      ...target("gloss-strict", strict),
      auth: strictWorld.auth,
      persisted: async () => (await strict.metrics<{ persisted: number }>()).persisted,
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
  const killRooms = world.docs.spread.slice(0, 3);
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

  const durablePerSecond = durable.updates / durable.seconds;
  const twenty = results.get("20 clients, 1 doc")!;
  const p99Ok = [...results.values()].every((r) => r.gloss.p99 <= 1.1 * r.reference.p99);
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  const out = [
    "",
    `Sync benchmark: Gloss vs @y/websocket-server 0.1.1 and Hocuspocus 3.4 (database extension, SQLite) — same workload, same run, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    "Latency: a span set on one client until each other client's observer sees it. CPU: server process time per delivered update.",
    "",
    table(rows),
    "",
    table([
      [
        "durable updates/s (gloss, 50 rooms)",
        `${int(durablePerSecond)}  (${int(durable.updates)} updates in ${durable.seconds.toFixed(2)} s; server CPU ${durable.cpuUsPerUpdate.toFixed(1)} µs/update)`,
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
    ]),
    "",
    "Targets:",
    `  ${mark(p99Ok)} p99 ≤ 1.1× reference in every workload (${[...results.entries()].map(([k, r]) => `${k}: ${ratio(r.gloss.p99, r.reference.p99)}`).join("; ")})`,
    `  ${mark(twenty.gloss.p50 <= 3)} p50 ≤ 3 ms at 20 clients per document (${ms(twenty.gloss.p50)} ms)`,
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
