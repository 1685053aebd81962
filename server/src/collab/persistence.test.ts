import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type Db, openDb } from "../db/client";
import { type CommitSink, SqliteLayerStore } from "./persistence";
import { TimerRegistry } from "./timers";

let db: Db;
afterEach(() => db.$client.close());

const sink = (name: string, log: string[] = [], ids: number[] = []): CommitSink => ({
  name,
  committed: (committed) => {
    log.push(`committed ${committed.length}`);
    ids.push(...committed);
  },
  persistFailed: (err) => log.push(`failed ${String(err)}`),
});

/** A doc and the updates that built it, one span per update. */
function spans(keys: string[]) {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => updates.push(u));
  for (const k of keys)
    doc.getMap("spans").set(k, { start: 0, end: 1, label: 1, author: null, createdAt: 1 });
  return { doc, updates };
}
const keysOf = (state: Uint8Array | null) => {
  const d = new Y.Doc();
  if (state) Y.applyUpdate(d, state);
  return [...d.getMap("spans").keys()].sort();
};
const count = (room: string) =>
  (db.$client.prepare("SELECT count(*) AS n FROM yjs_updates WHERE room = ?").get(room) as { n: number }).n;

describe("SqliteLayerStore", () => {
  it("commits a tick's updates in one transaction and tells each sink", async () => {
    db = openDb(":memory:");
    const timers = new TimerRegistry();
    const store = new SqliteLayerStore(db.$client, timers);
    const log: string[] = [];
    const a = sink("doc/1/shared", log);
    const { updates } = spans(["x", "y"]);
    for (const u of updates) store.append(a, u);
    expect(store.pending).toBe(2);
    expect(timers.size).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(["committed 2"]);
    expect(store.persisted).toBe(2);
    expect(timers.size).toBe(0);
    expect((await store.load("doc/1/shared")).rows).toBe(2);
  });

  it("compacts exactly the rows it read, from the live state only when it applied every one of them", () => {
    db = openDb(":memory:");
    const store = new SqliteLayerStore(db.$client, new TimerRegistry());
    const mine = spans(["a", "b", "c"]);
    const other = spans(["z"]);
    const applied = new Set<number>();
    const ids: number[] = [];
    for (const u of mine.updates) store.append(sink("doc/1/shared", [], ids), u);
    store.append(sink("doc/2/shared"), other.updates[0]!);
    store.flush();
    for (const id of ids) applied.add(id);

    // Fast path: every log row is one the live doc applied: the live state becomes the snapshot.
    let liveCalls = 0;
    const first = store.compact("doc/1/shared", {
      live: {
        applied,
        snapshotVersion: 0,
        state: () => {
          liveCalls++;
          return Y.encodeStateAsUpdate(mine.doc);
        },
      },
    });
    expect([first.rows, first.version, first.merged, liveCalls]).toEqual([3, 1, null, 1]);
    expect([count("doc/1/shared"), count("doc/2/shared")]).toEqual([0, 1]);
    expect(keysOf(store.readState("doc/1/shared"))).toEqual(["a", "b", "c"]);

    // Another writer (the CLI) appended one row, and the live doc one of its own: the same row count as
    // the live doc "knows" (2), but not the same rows. Merge instead, and keep the foreign row.
    applied.clear();
    const foreign = spans(["f"]);
    store.append(sink("doc/1/shared"), foreign.updates[0]!);
    store.flush();
    mine.doc.getMap("spans").set("d", { start: 0, end: 1, label: 1, author: null, createdAt: 2 });
    const own: number[] = [];
    store.append(sink("doc/1/shared", [], own), mine.updates[3]!);
    store.flush();
    const lying = new Set([...own, 999_999]);
    const second = store.compact("doc/1/shared", {
      gc: true,
      live: { applied: lying, snapshotVersion: 1, state: () => Y.encodeStateAsUpdate(mine.doc) },
    });
    expect(second.rows).toBe(2);
    expect(keysOf(second.merged)).toEqual(["a", "b", "c", "d", "f"]);
    expect(keysOf(store.readState("doc/1/shared"))).toEqual(["a", "b", "c", "d", "f"]);
    expect(count("doc/1/shared")).toBe(0);
    expect(keysOf(store.readState("doc/2/shared"))).toEqual(["z"]);
    expect(store.compact("doc/1/shared").rows).toBe(0);

    // Someone rewrote the snapshot since the live doc loaded it: never replaced by the live state.
    const stale = spans(["s"]);
    const staleIds: number[] = [];
    store.append(sink("doc/1/shared", [], staleIds), stale.updates[0]!);
    store.flush();
    const third = store.compact("doc/1/shared", {
      live: { applied: new Set(staleIds), snapshotVersion: 1, state: () => Y.encodeStateAsUpdate(stale.doc) },
    });
    expect(third.merged).not.toBeNull();
    expect(keysOf(store.readState("doc/1/shared"))).toEqual(["a", "b", "c", "d", "f", "s"]);
  });

  it("reports a failed commit to every sink in the batch and keeps nothing of it", () => {
    db = openDb(":memory:");
    const store = new SqliteLayerStore(db.$client, new TimerRegistry());
    const log: string[] = [];
    store.append(sink("doc/1/shared", log), spans(["a"]).updates[0]!);
    store.append(sink("doc/2/shared", log), spans(["b"]).updates[0]!);
    db.$client.exec(
      "CREATE TRIGGER no_writes BEFORE INSERT ON yjs_updates BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    store.flush();
    expect(log).toEqual(["failed SqliteError: disk full", "failed SqliteError: disk full"]);
    expect(store.persisted).toBe(0);
    expect(count("doc/1/shared") + count("doc/2/shared")).toBe(0);
  });
});
