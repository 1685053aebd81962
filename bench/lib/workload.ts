/**
 * The sync benchmark's workloads, run the same way against any y-websocket-protocol server: real
 * WebsocketProvider clients (the test helper's `ws` polyfill), raw sockets for bulk load. Loopback only;
 * every loop is bounded in count and guarded in time.
 */
import { addSpan, type LayerContext, newId, spansOf } from "../../shared/src/layer";
import { type ClientAuth, collabPath, frames, type RawSocket, rawSocket, Y } from "../../test/helpers/collab";
import { type BenchClient, type BenchProtocol, connectBenchClient, prepareClients } from "./clients";
import type { MemorySample } from "./ipc";

export interface BenchTarget {
  name: string;
  url: string;
  auth: ClientAuth[];
  /** Which client talks to this server (default y-websocket). */
  protocol?: BenchProtocol;
  cpu(): Promise<number>;
  memory(): Promise<MemorySample>;
}

export interface LatencyResult {
  /** Milliseconds from a span set on its writer to each other client's observer, per delivery. */
  samples: number[];
  /** Server CPU (µs) over the measured rounds, and the deliveries in them. */
  cpuUs: number;
  deliveries: number;
}

/** `p`, or a rejection naming `what` after `ms` milliseconds. */
export const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref(),
    ),
  ]);

/** Connects `perDoc` providers to each document's `shared` layer and waits until all are synced. */
async function connectAll(target: BenchTarget, docIds: number[], perDoc: number): Promise<BenchClient[][]> {
  const protocol = target.protocol ?? "y-websocket";
  await prepareClients(protocol);
  let k = 0;
  const groups = docIds.map((documentId) =>
    Array.from({ length: perDoc }, () =>
      connectBenchClient(protocol, target.url, documentId, target.auth[k++ % target.auth.length]),
    ),
  );
  await within(Promise.all(groups.flat().map((c) => c.synced())), 60_000, `connecting to ${target.name}`);
  return groups;
}

/**
 * Rounds of: in every document at once, one client (in turn) sets a span; the round ends when every other
 * client of that document has seen it in its `spans` observer. The first `warmup` rounds are not counted.
 */
export async function measureLatency(
  target: BenchTarget,
  docIds: number[],
  perDoc: number,
  rounds: number,
  ctx: LayerContext,
  opts: {
    warmup?: number /** Called when the measured rounds start (e.g. to start a profile). */;
    onMeasure?: () => Promise<unknown>;
  } = {},
): Promise<LatencyResult> {
  const warmup = opts.warmup ?? 15;
  const groups = await connectAll(target, docIds, perDoc);
  const pending = new Map<string, { t0: number; left: number; done: () => void }>();
  const samples: number[] = [];
  let recording = false;
  for (const c of groups.flat()) {
    const spans = spansOf(c.doc);
    spans.observe((e, tr) => {
      if (tr.local) return;
      const now = performance.now();
      for (const key of e.keysChanged) {
        const p = pending.get(key);
        if (!p) continue;
        if (recording) samples.push(now - p.t0);
        if (--p.left === 0) {
          pending.delete(key);
          p.done();
        }
      }
    });
  }
  const label = [...ctx.labelIds][0]!;
  let cpu0 = 0;
  for (let r = 0; r < warmup + rounds; r++) {
    if (r === warmup) {
      recording = true;
      await opts.onMeasure?.();
      cpu0 = await target.cpu();
    }
    const round = groups.map(
      (group) =>
        new Promise<void>((done) => {
          const writer = group[r % group.length]!;
          const id = newId();
          const start = (r * 7) % (ctx.text.length - 20);
          pending.set(id, { t0: performance.now(), left: group.length - 1, done });
          addSpan(writer.doc, { id, start, end: start + 12, label, author: null }, ctx);
        }),
    );
    await within(Promise.all(round), 30_000, `round ${r} on ${target.name}`);
  }
  const cpuUs = (await target.cpu()) - cpu0;
  for (const c of groups.flat()) c.destroy();
  return { samples, cpuUs, deliveries: rounds * docIds.length * (perDoc - 1) };
}

/** Opens raw sockets to `path`s in batches and waits until each has received `frames` frames. */
async function openRaw(target: BenchTarget, paths: string[], greet: boolean, minFrames: number) {
  const sockets: RawSocket[] = [];
  for (let i = 0; i < paths.length; i += 100) {
    const batch = paths.slice(i, i + 100).map((p, j) => {
      const s = rawSocket(target, p, { auth: target.auth[(i + j) % target.auth.length] });
      if (greet) s.opened.then(() => s.send(frames.syncStep1(new Y.Doc())));
      return s;
    });
    await within(
      Promise.all(batch.map((s) => s.next(() => s.frames.length >= minFrames))),
      60_000,
      `opening sockets to ${target.name}`,
    );
    sockets.push(...batch);
  }
  return sockets;
}

/**
 * Durable throughput: one raw socket per room streams pre-encoded span updates (each depending on the one
 * before) as fast as the socket takes them; the clock stops when the server reports them all committed.
 */
export async function measureDurable(
  target: BenchTarget & { persisted(): Promise<number> },
  docIds: number[],
  perRoom: number,
  ctx: LayerContext,
): Promise<{ updates: number; seconds: number; cpuUsPerUpdate: number }> {
  const label = [...ctx.labelIds][0]!;
  const streams = docIds.map(() => {
    const d = new Y.Doc();
    const out: Uint8Array[] = [];
    d.on("update", (u: Uint8Array) => out.push(frames.update(u)));
    for (let i = 0; i < perRoom; i++)
      addSpan(d, { start: i % 400, end: (i % 400) + 9, label, author: null }, ctx);
    d.destroy();
    return out;
  });
  const sockets = await openRaw(
    target,
    docIds.map((id) => collabPath(id, "shared")),
    false,
    1,
  );
  const total = docIds.length * perRoom;
  const base = await target.persisted();
  const cpu0 = await target.cpu();
  const t0 = performance.now();
  for (let i = 0; i < perRoom; i++)
    for (let j = 0; j < sockets.length; j++) sockets[j]!.send(streams[j]![i]!);
  const deadline = t0 + 60_000;
  while ((await target.persisted()) < base + total) {
    if (performance.now() > deadline) throw new Error("durable updates did not all commit within 60 s");
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsPerUpdate = ((await target.cpu()) - cpu0) / total;
  for (const s of sockets) s.close();
  await Promise.all(sockets.map((s) => s.closed));
  return { updates: total, seconds, cpuUsPerUpdate };
}

/**
 * Server memory per idle, synced connection: the slope of heap+external (after a forced GC) between
 * `first` and `total` open connections, so fixed costs (loaded rooms, code the JIT compiles meanwhile) do
 * not land in the per-connection figure.
 */
export async function measureIdle(
  target: BenchTarget,
  docIds: number[],
  first: number,
  total: number,
): Promise<{ n: number; heapPerConn: number; rssPerConn: number }> {
  const paths = Array.from({ length: total }, (_, i) => collabPath(docIds[i % docIds.length]!, "shared"));
  // Warm the rooms (kept open) and the server's code paths (a first wave, closed again).
  const warm = await openRaw(
    target,
    docIds.map((id) => collabPath(id, "shared")),
    true,
    2,
  );
  const wave = await openRaw(target, paths.slice(0, first), true, 2);
  for (const s of wave) s.close();
  await Promise.all(wave.map((s) => s.closed));
  const a = await openRaw(target, paths.slice(0, first), true, 2);
  const m1 = await target.memory();
  const b = await openRaw(target, paths.slice(first), true, 2);
  const m2 = await target.memory();
  const all = [...warm, ...a, ...b];
  for (const s of all) s.close();
  await Promise.all(all.map((s) => s.closed));
  const n = total - first;
  return {
    n: total,
    heapPerConn: (m2.heapUsed + m2.external - m1.heapUsed - m1.external) / n,
    rssPerConn: (m2.rss - m1.rss) / n,
  };
}
