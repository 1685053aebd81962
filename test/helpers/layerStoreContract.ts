/**
 * What every layer store promises the rooms (server/src/collab/persistence.ts), as one suite run against each
 * backend: SQLite (`pnpm test`) and PostgreSQL (`pnpm test:postgres`). A backend gives two stores over one
 * database (two servers, or a server and the CLI), a row count, and a way to make every write fail.
 */
import type { CommitSink, LayerStore } from "@gloss/server/collab/persistence";
import { TimerRegistry } from "@gloss/server/collab/timers";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";

export interface StoreBackend {
  /** A store over the backend's one database (call twice for two writers). */
  store(timers: TimerRegistry): Promise<LayerStore>;
  /** Log rows of a room. */
  count(room: string): Promise<number>;
  /** From now on every insert into the log fails with `message`. */
  breakWrites(message: string): Promise<void>;
  /** Resolves once `store` hears of other writers' rows (watchExternal started). */
  listening?(store: LayerStore): Promise<void>;
  close(): Promise<void>;
}

const sink = (name: string, log: string[] = [], ids: number[] = []): CommitSink => ({
  name,
  committed: (committed) => {
    log.push(`committed ${committed.length}`);
    ids.push(...committed);
  },
  persistFailed: (err) => log.push(`failed ${err instanceof Error ? err.message : String(err)}`),
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

const turn = () => new Promise((r) => setImmediate(r));

export function layerStoreContract(name: string, open: () => Promise<StoreBackend>): void {
  describe(`layer store contract: ${name}`, () => {
    let backend: StoreBackend;
    const stores: LayerStore[] = [];
    const newStore = async (timers = new TimerRegistry()) => {
      const s = await backend.store(timers);
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close().catch(() => {});
      await backend?.close();
    });

    it("commits a tick's updates together, tells each sink after the commit, and loads them back", async () => {
      backend = await open();
      const timers = new TimerRegistry();
      const store = await newStore(timers);
      const log: string[] = [];
      const ids: number[] = [];
      const { updates } = spans(["x", "y", "z"]);
      const a = sink("doc/1/shared", log, ids);
      for (const u of updates) store.append(a, u);
      expect(store.pending).toBe(3);
      expect(log).toEqual([]);
      await store.flush();
      expect(log).toEqual(["committed 3"]);
      expect(store.persisted).toBe(3);
      expect(store.pending).toBe(0);
      // ids ascend in append order
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const loaded = await store.load("doc/1/shared");
      expect([loaded.rows, loaded.ids, loaded.snapshotVersion]).toEqual([3, ids, 0]);
      expect(loaded.bytes).toBe(updates.reduce((n, u) => n + u.byteLength, 0));
      expect(keysOf(Y.mergeUpdates(loaded.updates))).toEqual(["x", "y", "z"]);
      // a tick's appends commit without an explicit flush
      store.append(sink("doc/1/shared", log), spans(["w"]).updates[0]!);
      await expect.poll(() => log.length).toBe(2);
      expect(await backend.count("doc/1/shared")).toBe(4);
      expect(timers.size).toBe(0);
    });

    it("compacts exactly the rows it read, from the live state only when it applied every one of them", async () => {
      backend = await open();
      const store = await newStore();
      const mine = spans(["a", "b", "c"]);
      const other = spans(["z"]);
      const ids: number[] = [];
      for (const u of mine.updates) store.append(sink("doc/1/shared", [], ids), u);
      store.append(sink("doc/2/shared"), other.updates[0]!);
      await store.flush();
      const applied = new Set(ids);

      // Fast path: every log row is one the live doc applied: the live state becomes the snapshot.
      let liveCalls = 0;
      const first = await store.compact("doc/1/shared", {
        live: {
          applied,
          snapshotVersion: 0,
          state: () => {
            liveCalls++;
            return Y.encodeStateAsUpdate(mine.doc);
          },
        },
      });
      expect([first.rows, first.ids, first.version, first.merged, liveCalls]).toEqual([3, ids, 1, null, 1]);
      expect([await backend.count("doc/1/shared"), await backend.count("doc/2/shared")]).toEqual([0, 1]);
      expect(keysOf(await store.readState("doc/1/shared"))).toEqual(["a", "b", "c"]);

      // Another writer appended one row, and the live doc one of its own: the same row count as the live
      // doc "knows" (2), but not the same rows. Merge instead, and keep the foreign row.
      const foreign = spans(["f"]);
      const otherWriter = await newStore();
      otherWriter.append(sink("doc/1/shared"), foreign.updates[0]!);
      await otherWriter.flush();
      mine.doc.getMap("spans").set("d", { start: 0, end: 1, label: 1, author: null, createdAt: 2 });
      const own: number[] = [];
      store.append(sink("doc/1/shared", [], own), mine.updates[3]!);
      await store.flush();
      const lying = new Set([...own, 999_999]);
      const second = await store.compact("doc/1/shared", {
        gc: true,
        live: { applied: lying, snapshotVersion: 1, state: () => Y.encodeStateAsUpdate(mine.doc) },
      });
      expect(second.rows).toBe(2);
      expect(keysOf(second.merged)).toEqual(["a", "b", "c", "d", "f"]);
      expect(keysOf(await store.readState("doc/1/shared"))).toEqual(["a", "b", "c", "d", "f"]);
      expect(await backend.count("doc/1/shared")).toBe(0);
      expect(keysOf(await store.readState("doc/2/shared"))).toEqual(["z"]);
      expect((await store.compact("doc/1/shared")).rows).toBe(0);

      // Someone rewrote the snapshot since the live doc loaded it: never replaced by the live state.
      const stale = spans(["s"]);
      const staleIds: number[] = [];
      store.append(sink("doc/1/shared", [], staleIds), stale.updates[0]!);
      await store.flush();
      const third = await store.compact("doc/1/shared", {
        live: {
          applied: new Set(staleIds),
          snapshotVersion: 1,
          state: () => Y.encodeStateAsUpdate(stale.doc),
        },
      });
      expect(third.merged).not.toBeNull();
      expect(keysOf(await store.readState("doc/1/shared"))).toEqual(["a", "b", "c", "d", "f", "s"]);
      expect(keysOf(await store.readState("doc/9/shared"))).toEqual([]);
      expect(await store.readState("doc/9/shared")).toBeNull();
    });

    it("reports a failed commit to every sink in the batch and keeps nothing of it", async () => {
      backend = await open();
      const store = await newStore();
      const log: string[] = [];
      await backend.breakWrites("disk full");
      store.append(sink("doc/1/shared", log), spans(["a"]).updates[0]!);
      store.append(sink("doc/2/shared", log), spans(["b"]).updates[0]!);
      await store.flush();
      expect(log).toHaveLength(2);
      for (const line of log) expect(line).toMatch(/^failed .*disk full/);
      expect(store.persisted).toBe(0);
      expect((await backend.count("doc/1/shared")) + (await backend.count("doc/2/shared"))).toBe(0);
    });

    it("two writers: one appends without pause while the other compacts; every update survives", async () => {
      backend = await open();
      const writer = await newStore();
      const compactor = await newStore();
      const room = "doc/7/shared";
      const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
      const { updates } = spans(keys);
      let compactions = 0;
      let merged = 0;
      let writing = true;
      const compacting = (async () => {
        while (writing || (await backend.count(room)) > 0) {
          const r = await compactor.compact(room);
          if (r.rows > 0) compactions++;
          merged += r.rows;
          await turn();
        }
      })();
      for (let i = 0; i < updates.length; i++) {
        writer.append(sink(room), updates[i]!);
        if (i % 3 === 2) await writer.flush();
        if (i % 10 === 9) await turn();
      }
      await writer.flush();
      writing = false;
      await compacting;
      expect(compactions).toBeGreaterThan(1);
      expect(merged).toBe(300);
      expect(keysOf(await compactor.readState(room))).toEqual([...keys].sort());
      expect(keysOf(await writer.readState(room))).toEqual([...keys].sort());
    });

    it("tells a watching store of other writers' rows and snapshots, never of its own rows", async () => {
      backend = await open();
      const watched = await newStore();
      const other = await newStore();
      const rows: Array<[string, number, string[]]> = [];
      const snapshots: Array<[string, number]> = [];
      const stop = watched.watchExternal(
        {
          externalRow: (room, id, update) => rows.push([room, id, keysOf(update)]),
          externalSnapshot: (room, version) => snapshots.push([room, version]),
          externalChange: () => {},
        },
        20,
      );
      try {
        await backend.listening?.(watched);
        const ownIds: number[] = [];
        watched.append(sink("doc/3/shared", [], ownIds), spans(["mine"]).updates[0]!);
        await watched.flush();
        const otherIds: number[] = [];
        other.append(sink("doc/3/shared", [], otherIds), spans(["theirs"]).updates[0]!);
        await other.flush();
        await expect
          .poll(() => rows, { timeout: 3_000 })
          .toEqual([["doc/3/shared", otherIds[0], ["theirs"]]]);
        await other.compact("doc/3/shared");
        await expect.poll(() => snapshots, { timeout: 3_000 }).toEqual([["doc/3/shared", 1]]);
        await new Promise((r) => setTimeout(r, 100));
        expect(rows.map((r) => r[1])).not.toContain(ownIds[0]);
      } finally {
        stop();
      }
    });
  });
}
