/**
 * Durability under `kill -9`: updates that every other client has already received, then the server
 * process is killed without a chance to flush, started again on the same data, and a fresh client counts
 * how many of those updates it sees.
 */
import { addSpan, type LayerContext, newId, spansOf } from "../../shared/src/layer";
import type { ClientAuth } from "../../test/helpers/collab";
import type { ChildServer } from "./child";
import { type BenchProtocol, connectBenchClient, prepareClients } from "./clients";
import { within } from "./workload";

export interface KillTarget {
  name: string;
  protocol: BenchProtocol;
  auth: ClientAuth[];
  /** Starts the server on its data (the same data each time). */
  start(): Promise<ChildServer<{ url: string }>>;
}

/**
 * In each room a writer sets `perRoom` spans (one update each) and a reader waits until it has them all;
 * then `kill -9`, restart, and a fresh client per room counts the spans it gets. Returns kept/sent.
 */
export async function measureKill(
  target: KillTarget,
  docIds: number[],
  perRoom: number,
  ctx: LayerContext,
): Promise<{ kept: number; sent: number }> {
  await prepareClients(target.protocol);
  const label = [...ctx.labelIds][0]!;
  const first = await target.start();
  const connect = (url: string, documentId: number, k: number) =>
    connectBenchClient(target.protocol, url, documentId, target.auth[k % target.auth.length]);
  const pairs = docIds.map((id, i) => ({
    writer: connect(first.ready.url, id, 2 * i),
    reader: connect(first.ready.url, id, 2 * i + 1),
    // the server refuses a new span that names anyone but its writer (issue 17)
    author: target.auth[(2 * i) % target.auth.length]?.userId ?? null,
    ids: [] as string[],
  }));
  const all = pairs.flatMap((p) => [p.writer, p.reader]);
  try {
    await within(Promise.all(all.map((c) => c.synced())), 30_000, `connecting to ${target.name}`);
    const delivered = pairs.map(
      (p) =>
        new Promise<void>((done) => {
          const spans = spansOf(p.reader.doc);
          const check = () => {
            if (p.ids.length === perRoom && p.ids.every((id) => spans.has(id))) done();
          };
          spans.observe(check);
          for (let i = 0; i < perRoom; i++) {
            const id = newId();
            p.ids.push(id);
            addSpan(p.writer.doc, { id, start: i * 3, end: i * 3 + 8, label, author: p.author }, ctx);
          }
          check();
        }),
    );
    await within(Promise.all(delivered), 30_000, `delivering updates on ${target.name}`);
    // Killed while the clients are still connected: a client leaving would let Hocuspocus store at once.
  } finally {
    await first.kill();
    for (const c of all) c.destroy();
  }
  const second = await target.start();
  try {
    const fresh = docIds.map((id, i) => connect(second.ready.url, id, i));
    await within(Promise.all(fresh.map((c) => c.synced())), 30_000, `reconnecting to ${target.name}`);
    let kept = 0;
    for (const [i, c] of fresh.entries()) {
      const spans = spansOf(c.doc);
      kept += pairs[i]!.ids.filter((id) => spans.has(id)).length;
      c.destroy();
    }
    return { kept, sent: docIds.length * perRoom };
  } finally {
    await second.stop();
  }
}
