/**
 * The sync benchmark's workloads, run the same way against any y-websocket-protocol server or Hocuspocus:
 * real providers (`WebsocketProvider` over the test helper's `ws` polyfill, or `HocuspocusProvider`), raw
 * sockets for bulk load. Loopback only; every loop is bounded in count and guarded in time.
 */
import { addSpan, type LayerContext, newId, spansOf } from "../../shared/src/layer";
import { type ClientAuth, collabPath, frames, type RawSocket, rawSocket, Y } from "../../test/helpers/collab";
import {
  type BenchClient,
  type BenchProtocol,
  connectBenchClient,
  hocuspocusFrames,
  hocuspocusName,
  prepareClients,
} from "./clients";
import type { MemorySample } from "./ipc";

export interface BenchTarget {
  name: string;
  url: string;
  /**
   * Several servers of one deployment: client j of document i connects to urls[(i + j) % n] (default: all
   * to `url`).
   */
  urls?: string[];
  auth: ClientAuth[];
  /** Which client talks to this server (default y-websocket). */
  protocol?: BenchProtocol;
  cpu(): Promise<number>;
  memory(): Promise<MemorySample>;
}

export interface LatencyResult {
  /** Milliseconds from a span set on its writer to each other client's observer, per delivery. */
  samples: number[];
  /** Those of clients on another server than the writer's (`urls`; with one server, all of them). */
  cross: number[];
  /** Server CPU (µs) over the measured rounds, and the deliveries in them. */
  cpuUs: number;
  deliveries: number;
  /** Wall time of the measured rounds. */
  seconds: number;
}

/** `p`, or a rejection naming `what` after `ms` milliseconds. */
export const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref(),
    ),
  ]);

/**
 * Connects `perDoc` providers to each document's `shared` layer (spread over `target.urls` when given) and
 * waits until all are synced; each client with the index of its server.
 */
async function connectAll(
  target: BenchTarget,
  docIds: number[],
  perDoc: number,
): Promise<Array<Array<{ client: BenchClient; at: number; author: number | null }>>> {
  const protocol = target.protocol ?? "y-websocket";
  await prepareClients(protocol);
  const urls = target.urls ?? [target.url];
  let k = 0;
  const groups = docIds.map((documentId, i) =>
    Array.from({ length: perDoc }, (_, j) => {
      const at = (i + j) % urls.length;
      const auth = target.auth[k++ % target.auth.length];
      // the server refuses a new span that names anyone but its writer (issue 17)
      const author = auth?.userId ?? null;
      return { at, author, client: connectBenchClient(protocol, urls[at]!, documentId, auth) };
    }),
  );
  const all = groups.flat().map((c) => c.client);
  await within(Promise.all(all.map((c) => c.synced())), 60_000, `connecting to ${target.name}`);
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
  const servers = target.urls?.length ?? 1;
  const pending = new Map<string, { t0: number; at: number; left: number; done: () => void }>();
  const samples: number[] = [];
  const cross: number[] = [];
  let recording = false;
  for (const { client, at } of groups.flat()) {
    const spans = spansOf(client.doc);
    spans.observe((e, tr) => {
      if (tr.local) return;
      const now = performance.now();
      for (const key of e.keysChanged) {
        const p = pending.get(key);
        if (!p) continue;
        if (recording) {
          samples.push(now - p.t0);
          if (at !== p.at || servers === 1) cross.push(now - p.t0);
        }
        if (--p.left === 0) {
          pending.delete(key);
          p.done();
        }
      }
    });
  }
  const label = [...ctx.labelIds][0]!;
  let cpu0 = 0;
  let t0 = 0;
  for (let r = 0; r < warmup + rounds; r++) {
    if (r === warmup) {
      recording = true;
      await opts.onMeasure?.();
      cpu0 = await target.cpu();
      t0 = performance.now();
    }
    const round = groups.map(
      (group) =>
        new Promise<void>((done) => {
          const writer = group[r % group.length]!;
          const id = newId();
          const start = (r * 7) % (ctx.text.length - 20);
          pending.set(id, { t0: performance.now(), at: writer.at, left: group.length - 1, done });
          addSpan(writer.client.doc, { id, start, end: start + 12, label, author: writer.author }, ctx);
        }),
    );
    await within(Promise.all(round), 30_000, `round ${r} on ${target.name}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = (await target.cpu()) - cpu0;
  for (const { client } of groups.flat()) client.destroy();
  return { samples, cross, cpuUs, deliveries: rounds * docIds.length * (perDoc - 1), seconds };
}

/**
 * Opens raw sockets to `path`s in batches, sends each its `hello(index)` frames once open, and waits until
 * each has received `minFrames` frames.
 */
async function openRaw(
  target: BenchTarget,
  paths: string[],
  hello: (index: number) => Uint8Array[],
  minFrames: number,
) {
  const sockets: RawSocket[] = [];
  for (let i = 0; i < paths.length; i += 100) {
    const batch = paths.slice(i, i + 100).map((p, j) => {
      const s = rawSocket(target, p, { auth: target.auth[(i + j) % target.auth.length] });
      s.opened.then(() => {
        for (const f of hello(i + j)) s.send(f);
      });
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

/** Where a durable-throughput run stands: updates committed, and (when the server tells) applied. */
export interface DurableProgress {
  persisted: number;
  applied?: number;
}

export interface DurableResult {
  updates: number;
  /** Until the server reports every update stored. */
  seconds: number;
  /** Until it reports every update applied in memory, when it reports that. */
  appliedSeconds?: number;
  cpuUsPerUpdate: number;
}

/**
 * Durable throughput: one raw socket per room streams pre-encoded span updates (each depending on the one
 * before) as fast as the socket takes them; the clock stops when the server reports them all committed.
 * A Hocuspocus socket names its document in every frame and sends the token message first.
 */
export async function measureDurable(
  target: BenchTarget & { progress(): Promise<DurableProgress> },
  docIds: number[],
  perRoom: number,
  ctx: LayerContext,
): Promise<DurableResult> {
  const hocuspocus = target.protocol === "hocuspocus";
  const label = [...ctx.labelIds][0]!;
  const streams = docIds.map((id, k) => {
    // socket k writes as target.auth[k] (openRaw), and must name that account as author
    const author = hocuspocus ? null : (target.auth[k % target.auth.length]?.userId ?? null);
    const d = new Y.Doc();
    const out: Uint8Array[] = [];
    const name = hocuspocusName(id);
    d.on("update", (u: Uint8Array) =>
      out.push(hocuspocus ? hocuspocusFrames.wrap(name, frames.update(u)) : frames.update(u)),
    );
    for (let i = 0; i < perRoom; i++) addSpan(d, { start: i % 400, end: (i % 400) + 9, label, author }, ctx);
    d.destroy();
    return out;
  });
  // Gloss and the reference server send sync step 1 on connect; Hocuspocus answers the client's (after the
  // token message's Authenticated reply), so two frames there.
  const sockets = hocuspocus
    ? await openRaw(
        target,
        docIds.map(() => "/"),
        (i) => {
          const name = hocuspocusName(docIds[i]!);
          return [hocuspocusFrames.auth(name), hocuspocusFrames.wrap(name, frames.syncStep1(new Y.Doc()))];
        },
        2,
      )
    : await openRaw(
        target,
        docIds.map((id) => collabPath(id, "shared")),
        () => [],
        1,
      );
  const total = docIds.length * perRoom;
  const base = await target.progress();
  const cpu0 = await target.cpu();
  const t0 = performance.now();
  for (let i = 0; i < perRoom; i++)
    for (let j = 0; j < sockets.length; j++) sockets[j]!.send(streams[j]![i]!);
  const deadline = t0 + 60_000;
  let appliedAt: number | undefined;
  for (;;) {
    const p = await target.progress();
    const now = performance.now();
    if (appliedAt === undefined && p.applied !== undefined && p.applied >= (base.applied ?? 0) + total)
      appliedAt = now;
    if (p.persisted >= base.persisted + total) break;
    if (now > deadline) throw new Error(`durable updates on ${target.name} did not all commit within 60 s`);
    // Polls 1% of the elapsed time apart (2–20 ms): enough resolution, and a wait of seconds (a store
    // debounce) does not cost the server a thousand IPC replies in the CPU figure.
    await new Promise((r) => setTimeout(r, Math.min(20, Math.max(2, (now - t0) / 100))));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsPerUpdate = ((await target.cpu()) - cpu0) / total;
  for (const s of sockets) s.close();
  await Promise.all(sockets.map((s) => s.closed));
  return {
    updates: total,
    seconds,
    appliedSeconds: appliedAt === undefined ? undefined : (appliedAt - t0) / 1000,
    cpuUsPerUpdate,
  };
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
  const greet = () => [frames.syncStep1(new Y.Doc())];
  const warm = await openRaw(
    target,
    docIds.map((id) => collabPath(id, "shared")),
    greet,
    2,
  );
  const wave = await openRaw(target, paths.slice(0, first), greet, 2);
  for (const s of wave) s.close();
  await Promise.all(wave.map((s) => s.closed));
  const a = await openRaw(target, paths.slice(0, first), greet, 2);
  const m1 = await target.memory();
  const b = await openRaw(target, paths.slice(first), greet, 2);
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
