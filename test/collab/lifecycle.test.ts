/**
 * Room lifecycle (STYLE 8, 10): one load per room, frames buffered during it, sync only after the stored
 * state is applied, failed loads destroy the doc, and every doc and timer is gone when the rooms are.
 * The first tests drive the core through its transport-free entry point with a hand-made socket.
 */
import { createHash } from "node:crypto";
import { authorizeLayer, type CollabSocket, createCollab, type LayerGrant } from "@gloss/server/collab/index";
import { type LayerStore, SqliteLayerStore } from "@gloss/server/collab/persistence";
import { PgLayerStore } from "@gloss/server/collab/pgPersistence";
import type { TimerRegistry } from "@gloss/server/collab/timers";
import { openDb } from "@gloss/server/db/client";
import { closePg, openPg } from "@gloss/server/db/pg";
import { all, call, pgStore, type Store, sqliteStore } from "@gloss/server/db/store";
import { testConfig } from "@gloss/server/env";
import { createLogger } from "@gloss/server/log";
import { CloseCode, type LayerName, roomName, userLayer } from "@gloss/shared";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { databaseUrlFor, onPostgres } from "../helpers/backend";
import { collabPath, frames, parseFrame, rawSocket, Y } from "../helpers/collab";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer } from "../helpers/server";
import { sqlRow, sqlRun } from "../helpers/sql";

class HandSocket implements CollabSocket {
  sent: Uint8Array[] = [];
  closedWith: { code: number; reason?: string } | null = null;
  bufferedAmount = 0;
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close(code: number, reason?: string) {
    this.closedWith ??= { code, reason };
  }
  ping() {}
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A database of the test's own: SQLite in memory, or a fresh PostgreSQL database. */
async function database(): Promise<Store> {
  if (onPostgres) {
    const pgDb = await openPg(await databaseUrlFor(""), { max: 4 });
    cleanups.push(() => closePg(pgDb));
    return pgStore(pgDb);
  }
  const db = openDb(":memory:");
  cleanups.push(() => {
    db.$client.close();
  });
  return sqliteStore(db);
}

async function fixture() {
  const db = await database();
  const user = await addUser(db);
  const project = await addProject(db, { mode: "shared", members: [{ user, role: "manager" }] });
  const doc = await addDocument(db, project.id, "Some text that is long enough for a few spans.");
  const grant = async (layer: LayerName = "shared"): Promise<LayerGrant> => {
    const auth = await call(
      db,
      authorizeLayer,
      { id: user.id, username: user.username, displayName: "", isAdmin: false },
      doc.id,
      layer,
    );
    if (!auth.ok) throw new Error(auth.message);
    return auth.grant;
  };
  return { db, user, project, doc, grant };
}

/** `count(*)` of a table, on either database. */
const countOf = async (db: Store, table: "yjs_updates" | "yjs_snapshots") =>
  (await sqlRow<{ n: number }>(db, sql`SELECT cast(count(*) as integer) AS n FROM ${sql.identifier(table)}`))!
    .n;

/** A store whose loads wait for `release()` (or fail), wrapping the database's real layer store. */
function gatedStore(db: Store, opts: { fail?: boolean } = {}) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let loads = 0;
  class Gated implements LayerStore {
    constructor(private readonly inner: LayerStore) {}
    async load(room: string) {
      loads++;
      await gate;
      if (opts.fail) throw new Error("disk on fire");
      return this.inner.load(room);
    }
    append: LayerStore["append"] = (sink, update) => this.inner.append(sink, update);
    flush = () => this.inner.flush();
    get pending() {
      return this.inner.pending;
    }
    get persisted() {
      return this.inner.persisted;
    }
    compact: LayerStore["compact"] = (room, o) => this.inner.compact(room, o);
    watchExternal: LayerStore["watchExternal"] = (l, ms) => this.inner.watchExternal(l, ms);
    readState = (room: string) => this.inner.readState(room);
    close = () => this.inner.close();
  }
  return {
    release: () => release(),
    loads: () => loads,
    factory: (timers: TimerRegistry) =>
      new Gated(
        db.dialect === "pg" ? new PgLayerStore(db.pool, timers) : new SqliteLayerStore(db.sqlite, timers),
      ),
  };
}

function collabOver(db: Store, store: ReturnType<typeof gatedStore>, limits = {}) {
  const collab = createCollab({
    database: db,
    config: testConfig(),
    log: createLogger("silent"),
    store: store.factory,
    limits,
  });
  cleanups.push(async () => {
    store.release();
    await collab.close();
  });
  return collab;
}

/** A span update by `author` (the server refuses a new span that names anyone but its writer). */
const spanUpdate = (key: string, author: number | null = null) => {
  const d = new Y.Doc();
  d.getMap("spans").set(key, { start: 0, end: 4, label: 1, author, createdAt: 1 });
  return { doc: d, update: Y.encodeStateAsUpdate(d) };
};

describe("room lifecycle", () => {
  it("one load per room; frames during it are buffered; sync step 1 comes after the stored state", async () => {
    const { db, doc, grant } = await fixture();
    const room = roomName(doc.id, "shared");
    const stored = spanUpdate("stored");
    await sqlRun(
      db,
      sql`INSERT INTO yjs_updates (room, "update") VALUES (${room}, ${Buffer.from(stored.update)})`,
    );
    const store = gatedStore(db);
    const collab = collabOver(db, store);
    const [grantA, grantB] = [await grant(), await grant()];

    const a = new HandSocket();
    const connA = collab.connect(a, grantA)!;
    const mine = spanUpdate("mine", grantA.user.id);
    connA.receive(frames.syncStep1(mine.doc));
    connA.receive(frames.update(mine.update));
    const b = new HandSocket();
    const connB = collab.connect(b, grantB)!;
    connB.receive(frames.syncStep1(new Y.Doc()));
    await new Promise((r) => setImmediate(r));
    expect(a.sent).toEqual([]);
    expect(store.loads()).toBe(1);
    expect(collab.metrics()).toMatchObject({ rooms: 1, liveDocs: 1, connections: 2 });

    store.release();
    await expect.poll(() => a.sent.length).toBeGreaterThanOrEqual(2);
    const step1 = parseFrame(a.sent[0]!);
    expect(step1.syncType).toBe(0);
    expect(Y.decodeStateVector(step1.payload!).get(stored.doc.clientID)).toBe(1);
    const step2 = parseFrame(a.sent[1]!);
    expect(step2.syncType).toBe(1);
    const seenByA = new Y.Doc();
    Y.applyUpdate(seenByA, step2.payload!);
    expect([...seenByA.getMap("spans").keys()]).toContain("stored");
    // The buffered update was applied, stored and reached the other connection (in its sync reply or relayed).
    const seenByB = new Y.Doc();
    await expect
      .poll(() => {
        for (const f of b.sent) {
          const { syncType, payload } = parseFrame(f);
          if (syncType === 1 || syncType === 2) Y.applyUpdate(seenByB, payload!);
        }
        return [...seenByB.getMap("spans").keys()].sort();
      })
      .toEqual(["mine", "stored"]);
    const keys = await collab.withDoc(doc.id, "shared", (d) => [...d.getMap("spans").keys()].sort());
    expect(keys).toEqual(["mine", "stored"]);
    expect(collab.metrics().persisted).toBe(1);

    connA.socketClosed();
    connB.socketClosed();
    await expect.poll(() => collab.metrics()).toMatchObject({ rooms: 0, liveDocs: 0, timers: 0 });
    // Unloading compacted the log into the snapshot.
    expect(await countOf(db, "yjs_updates")).toBe(0);
    const snapshot = new Y.Doc();
    Y.applyUpdate(
      snapshot,
      (await sqlRow<{ state: Uint8Array }>(db, sql`SELECT state FROM yjs_snapshots`))!.state,
    );
    expect([...snapshot.getMap("spans").keys()].sort()).toEqual(["mine", "stored"]);
  });

  it("a failed load closes its sockets with 1011, destroys the doc and stores nothing", async () => {
    const { db, doc, grant } = await fixture();
    const store = gatedStore(db, { fail: true });
    const collab = collabOver(db, store);
    const a = new HandSocket();
    collab.connect(a, await grant());
    store.release();
    await expect.poll(() => a.closedWith?.code).toBe(CloseCode.InternalError);
    await expect(collab.withDoc(doc.id, "shared", () => 1)).rejects.toThrow(/disk on fire/);
    await expect
      .poll(() => collab.metrics())
      .toMatchObject({ rooms: 0, liveDocs: 0, timers: 0, connections: 0 });
    expect(await countOf(db, "yjs_snapshots")).toBe(0);
  });

  it("a load that misses the deadline closes with 4408; too much buffered data closes with 1009", async () => {
    const { db, user, grant } = await fixture();
    const store = gatedStore(db);
    const collab = collabOver(db, store, { preAuthDeadlineMs: 50, maxPendingFrames: 3 });
    const [slowGrant, chattyGrant] = [await grant(), await grant(userLayer(user.id))];
    const slow = new HandSocket();
    collab.connect(slow, slowGrant);
    const chatty = new HandSocket();
    const conn = collab.connect(chatty, chattyGrant)!;
    for (let i = 0; i < 4; i++) conn.receive(frames.queryAwareness());
    expect(chatty.closedWith?.code).toBe(CloseCode.TooBig);
    await expect.poll(() => slow.closedWith?.code).toBe(CloseCode.Timeout);
    await expect.poll(() => collab.metrics()).toMatchObject({ liveDocs: 0, timers: 0, connections: 0 });
  });

  it("a log over the threshold is compacted at the first pause, while the room stays loaded", async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    Object.assign(server.deps.collab.limits, { compactAfterUpdates: 20, compactWhenQuietMs: 50 });
    const user = await addUser(server.store);
    const project = await addProject(server.store, {
      mode: "shared",
      members: [{ user, role: "annotator" }],
    });
    const doc = await addDocument(server.store, project.id, "Twenty-five spans in a row.", {
      assignTo: [user],
    });
    const room = roomName(doc.id, "shared");
    const rows = async () =>
      (await sqlRow<{ n: number }>(
        server.store,
        sql`SELECT cast(count(*) as integer) AS n FROM yjs_updates WHERE room = ${room}`,
      ))!.n;
    const c = rawSocket(server, collabPath(doc.id, "shared"), { auth: { token: user.token } });
    await c.next();
    const d = new Y.Doc();
    d.on("update", (u: Uint8Array) => c.send(frames.update(u)));
    for (let i = 0; i < 25; i++)
      d.getMap("spans").set(`s${i}`, { start: 0, end: 1, label: 1, author: user.id, createdAt: i });
    await expect.poll(() => server.deps.collab.metrics().persisted).toBe(25);
    await expect.poll(rows).toBe(0);
    expect(server.deps.collab.metrics().rooms).toBe(1);
    d.getMap("spans").set("after", { start: 0, end: 1, label: 1, author: user.id, createdAt: 99 });
    await expect.poll(rows).toBe(1);
    const keys = await server.deps.collab.withDoc(doc.id, "shared", (x) => x.getMap("spans").size);
    expect(keys).toBe(26);
    c.close();
  });

  it("2,000 rooms opened and closed: live docs and timers return to zero", async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const curator: SeededUser = await addUser(server.store);
    const project = await addProject(server.store, {
      mode: "shared",
      members: [{ user: curator, role: "curator" }],
    });
    // one insert, as a bulk import would
    const docIds = await call(server.store, function* (s) {
      const rows = yield* all(
        s.q
          .insert(s.t.documents)
          .values(
            Array.from({ length: 1000 }, (_, i) => {
              const text = `Document number ${i}.`;
              const sha256 = createHash("sha256").update(text, "utf8").digest("hex");
              return { projectId: project.id, name: `doc${i}`, text, sha256, length: text.length };
            }),
          )
          .returning({ id: s.t.documents.id }),
      );
      return rows.map((r) => r.id).sort((x, y) => x - y);
    });
    const rooms = docIds.flatMap((id) => [collabPath(id, "shared"), collabPath(id, "gold")]);
    let peak = 0;
    for (let i = 0; i < rooms.length; i += 50) {
      const batch = rooms
        .slice(i, i + 50)
        .map((path) => rawSocket(server, path, { auth: { token: curator.token } }));
      await Promise.all(batch.map((s) => s.next()));
      peak = Math.max(peak, server.deps.collab.metrics().rooms);
      for (const s of batch) s.close();
      await Promise.all(batch.map((s) => s.closed));
    }
    expect(peak).toBeGreaterThanOrEqual(50);
    // The REST path (withDoc) loads and unloads rooms too.
    await Promise.all(
      docIds.slice(0, 100).map((id) => server.deps.collab.withDoc(id, "gold", (d) => d.clientID)),
    );
    await expect
      .poll(() => server.deps.collab.metrics(), { timeout: 10_000 })
      .toMatchObject({ rooms: 0, connections: 0, liveDocs: 0, timers: 0 });
    // Rooms nobody wrote to leave nothing behind.
    expect(await countOf(server.store, "yjs_snapshots")).toBe(0);
  }, 120_000);
});
