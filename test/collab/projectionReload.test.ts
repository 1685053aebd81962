/**
 * The projection written incrementally — dirty keys while a room is loaded, nothing for a room reloaded
 * unchanged — stays exactly what `rebuildProjection` computes from the Yjs store, through random edits,
 * unloads, reloads, live clients, and rows another process appended without projecting them (a writer that
 * crashed between its log commit and its projection write).
 */
import { SqliteLayerStore } from "@gloss/server/collab/persistence";
import { PgLayerStore } from "@gloss/server/collab/pgPersistence";
import { rebuildProjection, rebuildProjectionPg } from "@gloss/server/collab/rebuild";
import { TimerRegistry } from "@gloss/server/collab/timers";
import type { Store } from "@gloss/server/db/store";
import {
  addSpan,
  type LayerContext,
  type LayerName,
  listSpans,
  roomName,
  seededRandom,
  setLayerStatus,
  userLayer,
} from "@gloss/shared";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { openDataDir } from "../helpers/backend";
import { type CollabClient, connectClient } from "../helpers/collab";
import { randomEdit } from "../helpers/projection";
import { dumpProjectionOf } from "../helpers/projectionDump";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

const TEXT = "Officials confirmed on Monday that the bridge would reopen in May, weeks later than planned.";

const dump = () => dumpProjectionOf(server.store);

/**
 * Another process on the server's database (its SQLite file, or its PostgreSQL database): a layer store of
 * its own that appends to a room's log and never projects (it "crashed"), and the rebuild over it.
 */
async function otherWriter(dataDir: string) {
  const other = await openDataDir(dataDir);
  const timers = new TimerRegistry();
  const s = other.store;
  const store =
    s.dialect === "pg" ? new PgLayerStore(s.pool, timers) : new SqliteLayerStore(s.sqlite, timers);
  return {
    /** The merged stored state of a room. */
    readState: (name: string) =>
      store instanceof SqliteLayerStore ? store.readStateNow(name) : store.readState(name),
    /** Appends one update to a room's log and commits it now. */
    async append(name: string, update: Uint8Array) {
      store.append({ name, committed() {}, persistFailed() {} }, update);
      if (store instanceof SqliteLayerStore) store.flushNow();
      else await store.flush();
    },
    /** `gloss rebuild-projection`'s work on the server's database, reading the layers through this store. */
    async rebuild(on: Store) {
      if (on.dialect === "pg") await rebuildProjectionPg(on.pool, store);
      else rebuildProjection(on.sqlite, store as SqliteLayerStore);
    },
    async close() {
      await store.close();
      await other.close();
    },
  };
}

/**
 * A mark that moves when anything is written to the server's database: SQLite's total_changes() of the
 * server's connection; on PostgreSQL (no such counter per connection) every row's xmin, which any insert,
 * update or delete changes, table by table.
 */
async function writeMark(store: Store): Promise<unknown> {
  if (store.dialect === "sqlite") return store.sqlite.prepare("SELECT total_changes()").pluck().get();
  const { rows: tables } = await store.pool.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  const mark: Record<string, string[]> = {};
  for (const { name } of tables) {
    const { rows } = await store.pool.query<{ x: string }>(
      `SELECT xmin::text AS x FROM "${name}" ORDER BY 1`,
    );
    mark[name] = rows.map((r) => r.x);
  }
  return mark;
}

/** Random edits to a layer doc, as a client or the server would make them (rejected keys too in gold). */
function edit(
  doc: Y.Doc,
  rand: () => number,
  ctx: LayerContext,
  labels: number[],
  author: number,
  n: number,
  gold: boolean,
) {
  for (let i = 0; i < n; i++) randomEdit(doc, rand, { ctx, labels, author, note: `n${i}`, gold });
}

describe("incremental projection", () => {
  it("equals the rebuild after random edits, unloads, reloads and another writer's unprojected rows", async () => {
    server = await startServer({ file: true });
    const ann = await addUser(server.store);
    const curator = await addUser(server.store);
    const project = await addProject(server.store, {
      members: [
        { user: ann, role: "annotator" },
        { user: curator, role: "curator" },
      ],
    });
    const docs: Array<{ id: number; text: string }> = [];
    for (const i of [0, 1, 2])
      docs.push(await addDocument(server.store, project.id, `${TEXT} ${i}`, { assignTo: [ann] }));
    const ctx: LayerContext = {
      text: TEXT,
      labelIds: new Set(project.labels.map((l) => l.id)),
      relationTypes: new Set(["attributes"]),
    };
    const labels = project.labels.map((l) => l.id);
    const layers: Array<{ layer: LayerName; user: typeof ann }> = [
      { layer: userLayer(ann.id), user: ann },
      { layer: "gold", user: curator },
    ];
    const rooms = docs.flatMap((d) => layers.map((l) => ({ doc: d, ...l })));
    // Another process on the same database: appends to a room's log and never projects (it "crashed").
    const other = await otherWriter(server.dataDir);
    const collab = server.deps.collab;
    const rand = seededRandom(7);
    const idle = async () => {
      await collab.flush();
      await expect.poll(() => collab.metrics().rooms, { timeout: 5_000 }).toBe(0);
    };
    // Rooms another writer appended to since they were last loaded: their rows are behind until a load.
    const behind = new Set<(typeof rooms)[number]>();
    const checkAgainstRebuild = async () => {
      for (const room of behind) await collab.withDoc(room.doc.id, room.layer, () => {});
      behind.clear();
      await idle();
      const incremental = await dump();
      await other.rebuild(server.store);
      expect(await dump()).toEqual(incremental);
    };

    try {
      for (let step = 0; step < 60; step++) {
        let room = rooms[Math.floor(rand() * rooms.length)]!;
        const r = rand();
        if (r < 0.45) {
          // A server-side write: the room loads, changes, unloads.
          await collab.withDoc(room.doc.id, room.layer, (d) =>
            edit(d, rand, ctx, labels, room.user.id, 1 + Math.floor(rand() * 4), room.layer === "gold"),
          );
        } else if (r < 0.6) {
          // Opened and left unchanged: the reload must find its rows as they were.
          await collab.withDoc(room.doc.id, room.layer, (d) => listSpans(d).length);
        } else if (r < 0.75) {
          // The annotator's layer state, set as the REST route sets it.
          const doc = room.doc;
          room = rooms.find((x) => x.doc === doc && x.layer !== "gold")!;
          await collab.withDoc(room.doc.id, room.layer, (d) =>
            setLayerStatus(d, rand() < 0.5 ? "in_progress" : "done", ann.id),
          );
        } else if (r < 0.9) {
          // A live client edits over a socket, then leaves (a layer marked done is read-only to its
          // annotator: reopened first, as a manager would).
          await collab.withDoc(room.doc.id, room.layer, (d) => {
            if (d.getMap("state").get("status") === "done") setLayerStatus(d, "in_progress", ann.id);
          });
          // as the REST route does before it answers: the projected state the socket's rights are read from
          await collab.flush();
          const c = connectClient(server, {
            documentId: room.doc.id,
            layer: room.layer,
            auth: { cookie: room.user.cookie },
          });
          clients.push(c);
          await c.synced();
          edit(c.doc, rand, ctx, labels, room.user.id, 1 + Math.floor(rand() * 5), room.layer === "gold");
          // Left once the server holds everything the client wrote.
          await expect
            .poll(
              () =>
                collab.withDoc(room.doc.id, room.layer, (d) =>
                  Y.equalSnapshots(Y.snapshot(d), Y.snapshot(c.doc)),
                ),
              { timeout: 5_000 },
            )
            .toBe(true);
          c.destroy();
          clients.splice(clients.indexOf(c), 1);
        } else {
          // Another writer's rows, committed to the log without a projection write.
          await idle();
          const name = roomName(room.doc.id, room.layer);
          const d = new Y.Doc();
          const state = await other.readState(name);
          if (state) Y.applyUpdate(d, state);
          const sv = Y.encodeStateVector(d);
          edit(d, rand, ctx, labels, room.user.id, 2, room.layer === "gold");
          await other.append(name, Y.encodeStateAsUpdate(d, sv));
          d.destroy();
          behind.add(room);
        }
        if (r < 0.9) behind.delete(room);
        await idle();
        if (step % 10 === 9) await checkAgainstRebuild();
      }
      await checkAgainstRebuild();
      expect((await dump()).annotations.length).toBeGreaterThan(10);
    } finally {
      await other.close();
    }
  }, 120_000);

  it("reloading an unchanged room writes no projection row", async () => {
    server = await startServer();
    const ann = await addUser(server.store);
    const project = await addProject(server.store, { members: [{ user: ann, role: "annotator" }] });
    const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann] });
    const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
    const layer = userLayer(ann.id);
    const collab = server.deps.collab;
    await collab.withDoc(doc.id, layer, (d) => {
      for (let i = 0; i < 10; i++)
        addSpan(d, { start: i, end: i + 3, label: project.labels[0]!.id, author: ann.id }, ctx);
    });
    await expect.poll(() => collab.metrics().rooms).toBe(0);
    const before = await writeMark(server.store);
    const rows = await dump();
    for (let i = 0; i < 3; i++) {
      expect(await collab.withDoc(doc.id, layer, (d) => listSpans(d).length)).toBe(10);
      await expect.poll(() => collab.metrics().rooms).toBe(0);
    }
    await collab.flush();
    expect(await writeMark(server.store)).toEqual(before);
    expect(await dump()).toEqual(rows);
  });
});
