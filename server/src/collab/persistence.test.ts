import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type Db, openDb } from "../db/client";
import { type CommitSink, SqliteLayerStore } from "./persistence";
import { TimerRegistry } from "./timers";

let db: Db;
afterEach(() => db.$client.close());

const sink = (name: string, log: string[] = []): CommitSink => ({
  name,
  committed: (n) => log.push(`committed ${n}`),
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

  it("compacts exactly the rows it read, from the live state when it holds them all, else by merging", () => {
    db = openDb(":memory:");
    const store = new SqliteLayerStore(db.$client, new TimerRegistry());
    const mine = spans(["a", "b", "c"]);
    const other = spans(["z"]);
    for (const u of mine.updates) store.append(sink("doc/1/shared"), u);
    store.append(sink("doc/2/shared"), other.updates[0]!);
    store.flush();

    // Fast path: three rows known, three in the log: the live state becomes the snapshot.
    let liveCalls = 0;
    const merged = store.compact("doc/1/shared", {
      live: {
        rows: 3,
        state: () => {
          liveCalls++;
          return Y.encodeStateAsUpdate(mine.doc);
        },
      },
    });
    expect([merged, liveCalls, count("doc/1/shared"), count("doc/2/shared")]).toEqual([3, 1, 0, 1]);
    expect(keysOf(store.readState("doc/1/shared"))).toEqual(["a", "b", "c"]);

    // Another writer appended a row the live doc does not know: merge instead, and keep it.
    const foreign = spans(["f"]);
    store.append(sink("doc/1/shared"), foreign.updates[0]!);
    store.flush();
    mine.doc.getMap("spans").set("d", { start: 0, end: 1, label: 1, author: null, createdAt: 2 });
    store.append(sink("doc/1/shared"), mine.updates[3]!);
    store.flush();
    expect(
      store.compact("doc/1/shared", { gc: true, live: { rows: 1, state: () => new Uint8Array() } }),
    ).toBe(2);
    expect(keysOf(store.readState("doc/1/shared"))).toEqual(["a", "b", "c", "d", "f"]);
    expect(count("doc/1/shared")).toBe(0);
    expect(keysOf(store.readState("doc/2/shared"))).toEqual(["z"]);
    expect(store.compact("doc/1/shared")).toBe(0);
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
