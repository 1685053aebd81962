/**
 * Room load/unload costs: opens and closes N rooms of S spans each through the RoomRegistry, the SQLite
 * layer store and the projector exactly as the server wires them, on a temporary database file migrated by
 * the real migrations. Half the opens only read (a client looks and leaves), half add one span and remove
 * another (a client edits and leaves). Prints the median over interleaved rounds of wall time and CPU per
 * room for the load and for the unload, and the rows the unload writes. Asserts nothing.
 *
 *   npx tsx bench/rooms.ts [--rooms 2000] [--spans 20] [--rounds 5]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NO_BUS } from "../server/src/collab/bus";
import { resolveLimits } from "../server/src/collab/limits";
import { newCounters } from "../server/src/collab/metrics";
import { SqliteLayerStore } from "../server/src/collab/persistence";
import { Projector } from "../server/src/collab/projection";
import type { Room } from "../server/src/collab/room";
import { RoomRegistry } from "../server/src/collab/rooms";
import { TimerRegistry } from "../server/src/collab/timers";
import { openDb } from "../server/src/db/client";
import { sqliteStore } from "../server/src/db/store";
import { createLogger } from "../server/src/log";
import { addSpan, type LayerContext, newId, removeSpan, spansOf, userLayer } from "../shared/src";
import { seedDocument, seedProject, seedUser } from "../test/helpers/seed";
import { benchOptions } from "./lib/options";
import { BENCH_TEXT } from "./lib/seed";
import { int, table } from "./lib/stats";

const o = benchOptions({ numbers: { rooms: 2000, spans: 20, rounds: 5 } });
const ROOMS = o.rooms;
const SPANS = o.spans;
const ROUNDS = o.rounds;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-rooms-"));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

try {
  const db = openDb(path.join(dir, "gloss.db"));
  const user = seedUser(db);
  const project = seedProject(db, { mode: "independent", members: [{ user, role: "annotator" }] });
  // Distinct texts: a project holds one document per text. Spans stay inside the common prefix.
  const docs = Array.from(
    { length: ROOMS },
    (_, i) => seedDocument(db, project.id, `${BENCH_TEXT} (${i})`, { assignTo: [user] }).id,
  );
  const layer = userLayer(user.id);
  const ctx: LayerContext = { text: BENCH_TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  const label = project.labels[0]!.id;

  const timers = new TimerRegistry();
  // Rooms stay loaded until the bench unloads them itself, so load and unload are timed apart.
  const limits = resolveLimits({ unloadDelayMs: 1e9 });
  const store = new SqliteLayerStore(db.$client, timers);
  const projector = new Projector(db.$client, timers, createLogger("warn"), limits);
  const registry = new RoomRegistry({
    database: sqliteStore(db),
    bus: NO_BUS,
    store,
    projector,
    limits,
    log: createLogger("warn"),
    counters: newCounters(),
    timers,
  });
  const changes = db.$client.prepare("SELECT total_changes()").pluck();
  const totalChanges = () => changes.get() as number;
  let projectionRows = 0;
  const flushProjection = projector.flush.bind(projector);
  projector.flush = (room) => {
    const before = totalChanges();
    flushProjection(room);
    projectionRows += totalChanges() - before;
  };
  const unloadRoom = (registry as unknown as { unload(room: Room): void }).unload.bind(registry);
  const unloadAll = () => {
    const rooms = [...registry.rooms.values()];
    for (const room of rooms) {
      room.cancelUnload?.();
      room.cancelUnload = null;
      unloadRoom(room);
    }
    return rooms.length;
  };

  const spanAt = (i: number) => {
    const start = (i * 7) % (BENCH_TEXT.length - 10);
    return { start, end: start + 5 };
  };
  process.stderr.write(`seeding ${ROOMS} rooms × ${SPANS} spans…\n`);
  for (const d of docs)
    await registry.withDoc(d, layer, (doc) => {
      for (let i = 0; i < SPANS; i++) addSpan(doc, { ...spanAt(i), label, author: user.id }, ctx);
    });
  unloadAll();

  type Variant = "read" | "edit";
  const results: Record<Variant, Array<Record<string, number>>> = { read: [], edit: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Variant[] = round % 2 ? ["edit", "read"] : ["read", "edit"];
    for (const variant of order) {
      const edit = (doc: Parameters<typeof spansOf>[0]) => {
        const spans = spansOf(doc);
        const oldest = spans.keys().next().value;
        if (oldest !== undefined) removeSpan(doc, oldest);
        addSpan(doc, { ...spanAt(round), label, author: user.id }, ctx);
      };
      const loadCpu0 = cpuUs();
      const loadT0 = performance.now();
      for (const d of docs) await registry.withDoc(d, layer, variant === "edit" ? edit : () => {});
      const loadMs = performance.now() - loadT0;
      const loadCpu = cpuUs() - loadCpu0;
      projectionRows = 0;
      const changes0 = totalChanges();
      const unloadCpu0 = cpuUs();
      const unloadT0 = performance.now();
      const n = unloadAll();
      const unloadMs = performance.now() - unloadT0;
      const unloadCpu = cpuUs() - unloadCpu0;
      results[variant].push({
        loadUs: (loadMs * 1000) / n,
        loadCpuUs: loadCpu / n,
        unloadUs: (unloadMs * 1000) / n,
        unloadCpuUs: unloadCpu / n,
        rows: (totalChanges() - changes0) / n,
        projectionRows: projectionRows / n,
      });
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${variant}: ${n} rooms\n`);
    }
  }

  const idT0 = performance.now();
  const ID_CALLS = 200_000;
  let sink = 0;
  for (let i = 0; i < ID_CALLS; i++) sink += newId().length;
  const idNs = ((performance.now() - idT0) * 1e6) / ID_CALLS;

  const rows = [
    [
      "open/close",
      "load µs/room",
      "load CPU µs",
      "unload µs/room",
      "unload CPU µs",
      "rows written/unload",
      "projection rows",
    ],
  ];
  for (const variant of ["read", "edit"] as const) {
    const m = (k: string) => median(results[variant].map((r) => r[k]!));
    rows.push([
      variant === "read" ? "read only" : "1 add + 1 remove",
      int(m("loadUs")),
      int(m("loadCpuUs")),
      int(m("unloadUs")),
      int(m("unloadCpuUs")),
      m("rows").toFixed(1),
      m("projectionRows").toFixed(1),
    ]);
  }
  process.stdout.write(
    `${ROOMS} rooms × ${SPANS} spans, median of ${ROUNDS} rounds (node ${process.version})\n${table(rows)}\n` +
      `newId: ${idNs.toFixed(0)} ns/call (${sink > 0 ? ID_CALLS : 0} calls)\n`,
  );
  registry.close();
  store.close();
  db.$client.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
