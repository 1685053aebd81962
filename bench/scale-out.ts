/**
 * `pnpm bench:scale-out`: one Gloss server against two and three, over one SQLite file and over one
 * PostgreSQL database (created for the run on GLOSS_TEST_PG_ADMIN_URL's server, default the local one's
 * `test`, and dropped after), Redis
 * relaying each room's committed updates between them (GLOSS_REDIS_URL, a fresh GLOSS_REDIS_PREFIX per run). Same
 * workload on each: `--docs` documents × 4 clients, and one document with `--big` clients, every client a
 * real provider, spread round-robin over the instances (so most deliveries cross from one to another).
 * Then `--idle` connections over three instances with one update per second per room for `--idle-seconds`.
 * Each server runs in its own child process (bench/lib/glossServer.ts); the clients run here.
 *
 *   npx tsx bench/scale-out.ts [--runs 3] [--docs 50] [--rounds 100] [--big 50] [--big-rounds 100]
 *                              [--idle 1000] [--idle-rooms 50] [--idle-seconds 5]
 *
 * --runs: each configuration runs that many times on fresh documents, in an order that rotates from run to
 * run, so a drift of the (shared) machine lands on all three alike; the summary gives medians (min–max).
 * CPU per delivered update is the sum over all the configuration's instances; Redis's own load (commands
 * and CPU from INFO, deltas over the measured rounds) is that of the whole Redis server, which other
 * clients may share (GLOSS_BENCH_REDIS_URL, default redis://127.0.0.1:6379). Asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CollabMetrics } from "../server/src/collab/metrics";
import { addSpan, type LayerContext, newId, spansOf } from "../shared/src/layer";
import type { ClientAuth } from "../test/helpers/collab";
import { createTestDatabase, type DatabaseLoad, databaseLoad } from "../test/helpers/postgres";
import { type ChildServer, startChild } from "./lib/child";
import { type BenchClient, connectBenchClient } from "./lib/clients";
import { benchOptions } from "./lib/options";
import { BENCH_TEXT, seedBenchWorld, seedBenchWorldPg } from "./lib/seed";
import { int, median, ms, ratio, type Summary, spread, summarize, table } from "./lib/stats";
import { type BenchTarget, measureLatency, within } from "./lib/workload";

const o = benchOptions({
  numbers: {
    runs: 3,
    docs: 50,
    rounds: 100,
    big: 50,
    "big-rounds": 100,
    idle: 1000,
    "idle-rooms": 50,
    "idle-seconds": 5,
  },
});
const RUNS = o.runs;
const USERS = 200;
/** Whole numbers within bounds, or a message naming the option. */
const bounds: Array<[string, number, number, number]> = [
  ["runs", RUNS, 1, 15],
  ["docs", o.docs, 1, 50],
  ["rounds", o.rounds, 1, 2000],
  ["big", o.big, 2, USERS],
  ["big-rounds", o["big-rounds"], 1, 2000],
  ["idle", o.idle, 0, 3000],
  ["idle-rooms", o["idle-rooms"], 1, 50],
  ["idle-seconds", o["idle-seconds"], 1, 60],
];
for (const [name, v, lo, hi] of bounds)
  if (!Number.isInteger(v) || v < lo || v > hi) {
    process.stderr.write(`bench:scale-out: --${name} takes a whole number from ${lo} to ${hi}\n`);
    process.exit(1);
  }

const REDIS_URL = process.env.GLOSS_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const CONFIGS = [
  { name: "1 instance", instances: 1, redis: false, pg: false },
  { name: "2 instances", instances: 2, redis: true, pg: false },
  { name: "3 instances", instances: 3, redis: true, pg: false },
  { name: "1 on PG", instances: 1, redis: false, pg: true },
  { name: "2 on PG", instances: 2, redis: true, pg: true },
  { name: "3 on PG", instances: 3, redis: true, pg: true },
] as const;

const WORKLOADS = [
  { name: `${o.docs} docs × 4 clients`, docs: o.docs, perDoc: 4, rounds: o.rounds },
  { name: `1 doc × ${o.big} clients`, docs: 1, perDoc: o.big, rounds: o["big-rounds"] },
];
const WARMUP = 15;

// Every WebsocketProvider adds a process 'exit' listener; up to `--idle` of them are expected here.
process.setMaxListeners(0);

// Bounded: two minutes, plus one per configuration run, plus the idle part.
const GIVE_UP_S = 120 + 60 * RUNS * CONFIGS.length + o["idle-seconds"] + o.idle / 10;
setTimeout(() => {
  process.stderr.write(`bench:scale-out: gave up after ${GIVE_UP_S} s\n`);
  process.exit(2);
}, GIVE_UP_S * 1000).unref();

const started = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-scale-out-"));
const running = new Set<ChildServer<{ url: string }>>();
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** Redis's INFO as numbers: total commands, PUBLISH calls, CPU seconds (null when redis-cli fails). */
function redisInfo(): { commands: number; publishes: number; cpuS: number } | null {
  try {
    const text = execFileSync("redis-cli", ["-u", REDIS_URL, "info", "everything"], {
      encoding: "utf8",
      timeout: 5000,
    });
    const field = (re: RegExp) => Number(text.match(re)?.[1] ?? Number.NaN);
    return {
      commands: field(/^total_commands_processed:(\d+)/m),
      publishes: field(/^cmdstat_publish:calls=(\d+)/m) || 0,
      cpuS: field(/^used_cpu_user:([\d.]+)/m) + field(/^used_cpu_sys:([\d.]+)/m),
    };
  } catch {
    return null;
  }
}

/** The benchmark's PostgreSQL database (created fresh by the test helper, dropped at the end). */
const pgDatabase = await createTestDatabase();
const pgUrl = pgDatabase.url;

/**
 * Starts `n` Gloss instances on the shared database — the SQLite file or the PostgreSQL database — with
 * Redis under a fresh prefix, or without.
 */
async function startInstances(
  n: number,
  redis: boolean,
  onPg = false,
): Promise<Array<ChildServer<{ url: string }>>> {
  const prefix = `gloss-bench-${randomBytes(6).toString("hex")}`;
  const env = {
    GLOSS_BENCH_DATA_DIR: dataDir,
    GLOSS_DATABASE_URL: onPg ? pgUrl : "",
    GLOSS_REDIS_URL: redis ? REDIS_URL : "",
    GLOSS_REDIS_PREFIX: prefix,
  };
  const children = await Promise.all(
    Array.from({ length: n }, async () => {
      const c = await startChild<{ url: string }>("glossServer.ts", env);
      running.add(c);
      return c;
    }),
  );
  return children;
}

async function stopAll(children: Array<ChildServer<{ url: string }>>): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
  for (const c of children) running.delete(c);
}

const cpuOf = async (children: Array<ChildServer<{ url: string }>>) =>
  (await Promise.all(children.map((c) => c.cpu()))).reduce((a, b) => a + b, 0);
/** Updates the instances have heard of from each other through Redis so far. */
const busReceived = async (children: Array<ChildServer<{ url: string }>>) =>
  (await Promise.all(children.map((c) => c.metrics<CollabMetrics>()))).reduce(
    (a, m) => a + m.bus.received,
    0,
  );

/**
 * The benchmark database's load counters once they stop moving: a backend reports its statistics at
 * most once a second while busy, and within 10 s once idle (PostgreSQL 15).
 */
async function settledLoad(): Promise<DatabaseLoad> {
  let last = await databaseLoad(pgUrl);
  for (let waited = 0; waited < 12_000; waited += 1500) {
    await sleep(1500);
    const now = await databaseLoad(pgUrl);
    if (now.commits === last.commits && now.rowsWritten === last.rowsWritten) return now;
    last = now;
  }
  return last;
}

/** Redis's own CPU (µs per second) with no Gloss instance running: its background work, not ours. */
let redisIdleUsPerS = 0;

/** One workload on one configuration. */
interface RunFigures {
  all: Summary;
  /** Deliveries to a client on another instance than the writer's (all of them on one instance). */
  cross: Summary;
  cpu: number;
  perSecond: number;
  redisCommands: number;
  redisCpu: number;
  /** Updates received through Redis over those a writer's instance must pass on (updates × (n − 1)). */
  viaRedis: number;
  deliveries: number;
  /** PostgreSQL per update (PostgreSQL configurations): commits, rows written, its backends' CPU (µs). */
  pgCommits: number;
  pgRows: number;
  pgCpu: number;
}

/**
 * measureLatency (bench/lib/workload.ts) with the clients spread round-robin over the instances (client j of
 * document i on instance (i + j) mod n), CPU summed over the instances, and Redis's load and the updates
 * heard through it counted over the measured rounds.
 */
async function measure(
  children: Array<ChildServer<{ url: string }>>,
  docIds: number[],
  perDoc: number,
  rounds: number,
  auth: ClientAuth[],
  ctx: LayerContext,
  onPg: boolean,
): Promise<RunFigures> {
  const n = children.length;
  let redis0 = null as ReturnType<typeof redisInfo>;
  let bus0 = 0;
  const pg: { before: DatabaseLoad | null } = { before: null };
  const target: BenchTarget = {
    name: `${n} instance${n === 1 ? "" : "s"}`,
    url: children[0]!.ready.url,
    urls: children.map((c) => c.ready.url),
    auth,
    cpu: () => cpuOf(children),
    memory: () => children[0]!.memory(),
  };
  const r = await measureLatency(target, docIds, perDoc, rounds, ctx, {
    warmup: WARMUP,
    onMeasure: async () => {
      redis0 = redisInfo();
      bus0 = await busReceived(children);
      if (onPg) pg.before = await settledLoad();
    },
  });
  const heard = (await busReceived(children)) - bus0;
  const pg0 = pg.before;
  const pg1 = onPg ? await settledLoad() : null;
  const redis1 = redisInfo();
  const updates = rounds * docIds.length;
  // The first INFO is counted among the commands the second one reports.
  const redisCommands = redis0 && redis1 ? (redis1.commands - redis0.commands - 1) / updates : Number.NaN;
  const redisCpu =
    redis0 && redis1
      ? Math.max(0, (redis1.cpuS - redis0.cpuS) * 1e6 - redisIdleUsPerS * r.seconds) / updates
      : Number.NaN;
  return {
    all: summarize(r.samples),
    cross: summarize(r.cross),
    cpu: r.cpuUs / r.deliveries,
    perSecond: updates / r.seconds,
    redisCommands,
    redisCpu,
    // Every document has clients on every instance (perDoc ≥ n), so each update must reach n − 1 others.
    viaRedis: n > 1 ? heard / (updates * (n - 1)) : Number.NaN,
    deliveries: r.deliveries,
    pgCommits: pg0 && pg1 ? (pg1.commits - pg0.commits) / updates : Number.NaN,
    pgRows: pg0 && pg1 ? (pg1.rowsWritten - pg0.rowsWritten) / updates : Number.NaN,
    pgCpu: pg0 && pg1 ? ((pg1.backendCpuS - pg0.backendCpuS) * 1e6) / updates : Number.NaN,
  };
}

/**
 * `total` providers over `roomIds` and the three instances (round-robin), connected 100 at a time; then one
 * update per second per room (the rooms' writes staggered over each second) for `seconds`, each timed to
 * every other client of its room. Reports the delivery percentiles and each instance's RSS.
 */
async function measureIdleFanout(
  children: Array<ChildServer<{ url: string }>>,
  roomIds: number[],
  total: number,
  seconds: number,
  auth: ClientAuth[],
  ctx: LayerContext,
) {
  const n = children.length;
  const rssBefore = await Promise.all(children.map(async (c) => (await c.memory()).rss));
  const rooms: BenchClient[][] = roomIds.map(() => []);
  const clients: BenchClient[] = [];
  // the server refuses a new span that names anyone but its writer (issue 17)
  const authorOf = new Map<BenchClient, number | null>();
  try {
    for (let i = 0; i < total; i += 100) {
      const batch = Array.from({ length: Math.min(100, total - i) }, (_, j) => {
        const x = i + j;
        const c = connectBenchClient(
          "y-websocket",
          children[x % n]!.ready.url,
          roomIds[x % roomIds.length]!,
          auth[x % auth.length],
        );
        rooms[x % roomIds.length]!.push(c);
        authorOf.set(c, auth[x % auth.length]?.userId ?? null);
        return c;
      });
      clients.push(...batch);
      await within(Promise.all(batch.map((c) => c.synced())), 60_000, `connecting ${i + batch.length}`);
    }
    log(`  ${total} connections open`);
    const pending = new Map<string, { t0: number; left: number; done: () => void }>();
    const samples: number[] = [];
    for (const c of clients)
      spansOf(c.doc).observe((e, tr) => {
        if (tr.local) return;
        const now = performance.now();
        for (const key of e.keysChanged) {
          const p = pending.get(key);
          if (!p) continue;
          samples.push(now - p.t0);
          if (--p.left === 0) {
            pending.delete(key);
            p.done();
          }
        }
      });
    const label = [...ctx.labelIds][0]!;
    const delivered: Promise<void>[] = [];
    const cpu0 = await cpuOf(children);
    const t0 = performance.now();
    const writes = seconds * roomIds.length;
    let deliveries = 0;
    for (let w = 0; w < writes; w++) {
      const wait = t0 + (w * 1000) / roomIds.length - performance.now();
      if (wait > 0) await sleep(wait);
      const room = rooms[w % roomIds.length]!;
      if (room.length < 2) continue;
      const writer = room[Math.floor(w / roomIds.length) % room.length]!;
      const id = newId();
      const start = (w * 7) % (ctx.text.length - 20);
      deliveries += room.length - 1;
      delivered.push(
        new Promise<void>((done) => {
          pending.set(id, { t0: performance.now(), left: room.length - 1, done });
          addSpan(
            writer.doc,
            { id, start, end: start + 12, label, author: authorOf.get(writer) ?? null },
            ctx,
          );
        }),
      );
    }
    await within(Promise.all(delivered), 30_000, "idle fan-out deliveries");
    const cpuUs = (await cpuOf(children)) - cpu0;
    const rss = await Promise.all(children.map(async (c) => (await c.memory()).rss));
    return { s: summarize(samples), deliveries, cpu: cpuUs / Math.max(1, deliveries), rssBefore, rss };
  } finally {
    for (const c of clients) c.destroy();
  }
}

try {
  const ping = redisInfo();
  if (!ping) throw new Error(`no Redis at ${REDIS_URL} (redis-cli info failed); set GLOSS_BENCH_REDIS_URL`);
  // Redis's idle background (serverCron…) over one second, subtracted from its CPU per update below.
  await sleep(1000);
  const quiet = redisInfo();
  if (quiet) redisIdleUsPerS = Math.max(0, (quiet.cpuS - ping.cpuS) * 1e6);
  log("seeding");
  const sqliteWorld = seedBenchWorld(dataDir, USERS, RUNS * CONFIGS.length);
  const pgWorld = await seedBenchWorldPg(pgUrl, USERS, RUNS * CONFIGS.length);
  const worldOf = (cfg: { pg: boolean }) => (cfg.pg ? pgWorld : sqliteWorld);
  const ctxOf = (cfg: { pg: boolean }): LayerContext => ({
    text: BENCH_TEXT,
    labelIds: new Set(worldOf(cfg).labelIds),
  });

  process.stdout.write(
    `Scale-out runs (${RUNS} per configuration, order rotating; clients round-robin over the instances; ` +
      "p50/p99 in ms, CPU summed over the instances per delivered update):\n",
  );
  const runs = new Map<string, RunFigures[]>(); // key: workload|config
  for (let run = 0; run < RUNS; run++) {
    const order = CONFIGS.map((_, i) => CONFIGS[(i + run) % CONFIGS.length]!);
    for (const cfg of order) {
      const docs = worldOf(cfg).latency[run * CONFIGS.length + CONFIGS.indexOf(cfg)]!;
      log(`run ${run + 1}/${RUNS}: ${cfg.name}, starting`);
      const children = await startInstances(cfg.instances, cfg.redis, cfg.pg);
      try {
        for (const w of WORKLOADS) {
          const ids = w.docs === 1 ? docs.twoHundred : docs.spread.slice(0, w.docs);
          log(`run ${run + 1}/${RUNS}: ${cfg.name}, ${w.name}`);
          const x = await measure(children, ids, w.perDoc, w.rounds, worldOf(cfg).auth, ctxOf(cfg), cfg.pg);
          const key = `${w.name}|${cfg.name}`;
          runs.set(key, [...(runs.get(key) ?? []), x]);
          process.stdout.write(
            `  ${`run ${run + 1}/${RUNS}`.padEnd(10)} ${w.name.padEnd(22)} ${cfg.name.padEnd(12)}` +
              ` p50 ${ms(x.all.p50).padStart(5)}  p99 ${ms(x.all.p99).padStart(5)}` +
              (cfg.instances === 1
                ? " ".repeat(37)
                : `  cross-instance p50 ${ms(x.cross.p50).padStart(5)}  p99 ${ms(x.cross.p99).padStart(5)}`) +
              `  CPU ${x.cpu.toFixed(1).padStart(6)} µs  ${int(x.perSecond).padStart(6)} updates/s` +
              `  (${int(x.deliveries)} deliveries)\n`,
          );
        }
      } finally {
        await stopAll(children);
      }
    }
  }

  let idle: Awaited<ReturnType<typeof measureIdleFanout>> | null = null;
  if (o.idle > 0) {
    log(`idle: ${o.idle} connections over 3 instances on PostgreSQL + Redis, ${o["idle-rooms"]} rooms`);
    const children = await startInstances(3, true, true);
    try {
      idle = await measureIdleFanout(
        children,
        pgWorld.docs.idle.slice(0, o["idle-rooms"]),
        o.idle,
        o["idle-seconds"],
        pgWorld.auth,
        ctxOf({ pg: true }),
      );
    } finally {
      await stopAll(children);
    }
  }

  const rows: string[][] = [
    [
      "workload",
      "configuration",
      "p50 ms",
      "p99 ms",
      "cross p50",
      "cross p99",
      "CPU µs/delivery",
      "updates/s",
      "Redis cmds/update",
      "Redis CPU µs/update",
      "via Redis",
      "PG commits/update",
      "PG rows/update",
      "PG CPU µs/update",
    ],
  ];
  for (const w of WORKLOADS) {
    const one = runs.get(`${w.name}|${CONFIGS[0].name}`)!;
    const base = {
      p50: median(one.map((x) => x.all.p50)),
      p99: median(one.map((x) => x.all.p99)),
      cpu: median(one.map((x) => x.cpu)),
      perSecond: median(one.map((x) => x.perSecond)),
    };
    for (const [i, cfg] of CONFIGS.entries()) {
      const xs = runs.get(`${w.name}|${cfg.name}`)!;
      const col = (f: (x: RunFigures) => number, fmt: (v: number) => string) => spread(xs.map(f), fmt);
      const one1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "–");
      rows.push([
        i === 0 ? w.name : "",
        cfg.name,
        col((x) => x.all.p50, ms),
        col((x) => x.all.p99, ms),
        cfg.instances === 1 ? "" : col((x) => x.cross.p50, ms),
        cfg.instances === 1 ? "" : col((x) => x.cross.p99, ms),
        col((x) => x.cpu, one1),
        col((x) => x.perSecond, int),
        cfg.redis ? col((x) => x.redisCommands, one1) : "",
        cfg.redis ? col((x) => x.redisCpu, one1) : "",
        cfg.redis
          ? col(
              (x) => x.viaRedis,
              (v) => `${(100 * v).toFixed(0)}%`,
            )
          : "",
        cfg.pg ? col((x) => x.pgCommits, one1) : "",
        cfg.pg ? col((x) => x.pgRows, one1) : "",
        cfg.pg ? col((x) => x.pgCpu, one1) : "",
      ]);
      if (i > 0)
        rows.push([
          "",
          `  ÷ 1 instance`,
          ratio(median(xs.map((x) => x.all.p50)), base.p50),
          ratio(median(xs.map((x) => x.all.p99)), base.p99),
          "",
          "",
          ratio(median(xs.map((x) => x.cpu)), base.cpu),
          ratio(median(xs.map((x) => x.perSecond)), base.perSecond),
          "",
          "",
          "",
          "",
          "",
          "",
        ]);
    }
  }
  const out = [
    "",
    `Scale-out benchmark: Gloss on 1, 2 and 3 instances over one SQLite file, and over one PostgreSQL database ("on PG"); 2 and 3 with Redis at ${REDIS_URL}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    "Latency: a span set on one client until each other client of its document sees it (cross: only clients on another instance than the writer's).",
    `CPU: all instances' process time per delivered update. updates/s: lockstep rounds (every document's span delivered before the next round), ${WARMUP} warm-up rounds not counted.`,
    `Redis: total_commands_processed and used_cpu_user+sys deltas of the whole server per update (other clients of that Redis count too; its idle CPU, ${int(redisIdleUsPerS)} µs/s, subtracted).`,
    "PG: pg_stat_database's commits and rows inserted+updated+deleted of the benchmark's database, and the CPU of the server processes connected to it (from /proc), per update; other writers (the projection, compaction) included.",
    "via Redis: updates the instances received over Redis ÷ updates × (instances − 1), each document having clients on every instance (the rest came through the database: SQLite's 200 ms log poll, PostgreSQL's LISTEN/NOTIFY).",
    RUNS === 1
      ? "One run per configuration (--runs 3 or more for medians)."
      : `Median (min–max) over ${RUNS} interleaved runs; ratios are of the medians.`,
    "",
    table(rows, 2),
    "",
  ];
  if (idle) {
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    out.push(
      table(
        [
          [
            `idle-ish: ${int(o.idle)} connections, 3 instances on PostgreSQL + Redis, ${o["idle-rooms"]} rooms`,
            `1 update/s per room for ${o["idle-seconds"]} s: ${int(idle.deliveries)} deliveries, p50 ${ms(idle.s.p50)} ms, p99 ${ms(idle.s.p99)} ms, max ${ms(idle.s.max)} ms`,
          ],
          ["  CPU per delivery (all instances)", `${idle.cpu.toFixed(1)} µs`],
          [
            "  RSS per instance (before → with connections)",
            idle.rss.map((r, i) => `#${i + 1} ${mb(idle.rssBefore[i]!)} → ${mb(r)}`).join(", "),
          ],
        ],
        2,
      ),
      "",
    );
  }
  process.stdout.write(out.join("\n"));
} finally {
  await Promise.all([...running].map((c) => c.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
  await pgDatabase.drop().catch((err) => log(`could not drop the benchmark's database: ${err}`));
  log("done");
}
// Providers keep handles open after their servers are gone; the figures are printed.
process.exit(0);
