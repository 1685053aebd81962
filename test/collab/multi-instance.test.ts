/**
 * Several Gloss servers over one database, as separate processes behind no sticky routing: clients of one
 * room on different instances converge and see each other's presence through Redis (GLOSS_REDIS_URL); with
 * the shared log's poll turned down to once a minute, a delivery within a second can only have come through
 * Redis. Without Redis (or while it is down) the poll still brings every update across. A SIGKILLed instance
 * loses nothing a client saw. Each test run has its own Redis channel prefix and database (file, or on
 * PostgreSQL the data directory's database, where the instances hear each other's log rows by LISTEN/NOTIFY
 * instead of the poll: test/helpers/instance.ts); a private redis-server on a free port is started (and
 * stopped mid-stream) for the outage test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Store } from "@gloss/server/db/store";
import { addSpan, type LayerContext, listSpans } from "@gloss/shared";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { type DataDirConnection, openDataDir } from "../helpers/backend";
import { type CollabClient, connectClient } from "../helpers/collab";
import { type Instance, startInstance, stopInstance } from "../helpers/instances";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { applySpanOp, spanOps } from "../helpers/spanOps";
import { sqlRows } from "../helpers/sql";

const REDIS_URL = process.env.GLOSS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const TEXT = "The minister said taxes will rise. Critics denied it. Prices may fall, analysts said.";

let dir: string;
/** The test's own connection to the instances' database. */
let conn: DataDirConnection;
let db: Store;
let users: SeededUser[];
let projectId: number;
let labelIds: number[];
const prefix = `gloss-test-${randomBytes(6).toString("hex")}`;
const running: Instance[] = [];
const clients: CollabClient[] = [];

/** Starts a Gloss server process on the shared database (with Redis unless `env` says otherwise). */
async function instance(env: Record<string, string | undefined> = {}): Promise<Instance> {
  const i = await startInstance({
    GLOSS_DATA_DIR: dir,
    GLOSS_REDIS_URL: REDIS_URL,
    GLOSS_REDIS_PREFIX: prefix,
    ...env,
  });
  running.push(i);
  return i;
}

async function stop(i: Instance, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  await stopInstance(i, signal);
  running.splice(running.indexOf(i), 1);
}

/** A client of the shared layer of `documentId` on instance `i`, as user `u`. */
async function client(i: Instance, documentId: number, u: SeededUser): Promise<CollabClient> {
  const c = connectClient(i, { documentId, layer: "shared", auth: { cookie: u.cookie } });
  clients.push(c);
  await c.synced();
  return c;
}

const ctxOf = (): LayerContext => ({ text: TEXT, labelIds: new Set(labelIds) });
const keys = (c: CollabClient) =>
  listSpans(c.doc)
    .map((s) => `${s.start}-${s.end}-${s.label}`)
    .sort();

/** A room's snapshot and log rows (on PostgreSQL as of one moment: an instance may compact meanwhile). */
async function layerRows(room: string): Promise<{ snap?: Uint8Array; updates: Uint8Array[] }> {
  if (db.dialect === "sqlite") {
    const snap = db.sqlite.prepare("SELECT state FROM yjs_snapshots WHERE room = ?").get(room) as
      | { state: Uint8Array }
      | undefined;
    const rows = db.sqlite
      .prepare('SELECT "update" FROM yjs_updates WHERE room = ? ORDER BY id')
      .all(room) as Array<{ update: Uint8Array }>;
    return { snap: snap?.state, updates: rows.map((r) => r.update) };
  }
  const c = await db.pool.connect();
  try {
    await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const snap = await c.query<{ state: Uint8Array }>("SELECT state FROM yjs_snapshots WHERE room = $1", [
      room,
    ]);
    const rows = await c.query<{ update: Uint8Array }>(
      'SELECT "update" FROM yjs_updates WHERE room = $1 ORDER BY id',
      [room],
    );
    await c.query("COMMIT");
    return { snap: snap.rows[0]?.state, updates: rows.rows.map((r) => r.update) };
  } finally {
    c.release();
  }
}

/** The shared layer of `documentId` as stored (snapshot and log), decoded. */
async function stored(documentId: number): Promise<string[]> {
  const { snap, updates } = await layerRows(`doc/${documentId}/shared`);
  const doc = new Y.Doc();
  if (snap) Y.applyUpdate(doc, snap);
  for (const u of updates) Y.applyUpdate(doc, u);
  return listSpans(doc)
    .map((s) => `${s.start}-${s.end}-${s.label}`)
    .sort();
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-multi-"));
  conn = await openDataDir(dir);
  db = conn.store;
  users = [await addUser(db), await addUser(db), await addUser(db)];
  const p = await addProject(db, {
    mode: "shared",
    members: users.map((user) => ({ user, role: "annotator" as const })),
  });
  projectId = p.id;
  labelIds = p.labels.map((l) => l.id);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all([...running].map((i) => stop(i)));
});

afterAll(async () => {
  await conn.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("two instances on one database and one Redis", () => {
  it("clients of one room on different instances converge through Redis (the shared log read once a minute)", async () => {
    const [a, b] = await Promise.all([
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
    ]);
    const doc = await addDocument(db, projectId, TEXT, { assignTo: users });
    const onA = await client(a, doc.id, users[0]!);
    const onB = await client(b, doc.id, users[1]!);
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const [writer, reader] = i % 2 === 0 ? [onA, onB] : [onB, onA];
      const author = i % 2 === 0 ? users[0]! : users[1]!;
      const t0 = performance.now();
      const s = addSpan(
        writer.doc,
        { start: i, end: i + 4, label: labelIds[i % labelIds.length]!, author: author.id },
        ctxOf(),
      );
      await vi.waitFor(() => expect(reader.doc.getMap("spans").has(s.id)).toBe(true), {
        timeout: 2000,
        interval: 2,
      });
      delays.push(performance.now() - t0);
    }
    expect(keys(onA)).toEqual(keys(onB));
    expect(keys(onA)).toHaveLength(20);
    delays.sort((x, y) => x - y);
    console.log(
      `across instances: median ${delays[10]!.toFixed(1)} ms, slowest ${delays[19]!.toFixed(1)} ms (the log is read once a minute)`,
    );
    // committed before anyone saw it: what the clients hold is what the log holds
    expect(await stored(doc.id)).toEqual(keys(onA));
  }, 30_000);

  it("presence crosses instances: a user on A sees who is on B, stamped by B's server, and sees them leave", async () => {
    const [a, b] = await Promise.all([
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
    ]);
    const doc = await addDocument(db, projectId, `${TEXT} (presence)`, { assignTo: users });
    const onA = await client(a, doc.id, users[0]!);
    const onB = await client(b, doc.id, users[1]!);
    onB.provider.awareness.setLocalStateField("cursor", { anchor: 3, head: 9 });
    const fromB = () =>
      [...onA.provider.awareness.getStates().entries()].find(([id]) => id === onB.doc.clientID)?.[1] as
        | { cursor?: unknown; user?: { id: number } }
        | undefined;
    await vi.waitFor(() => expect(fromB()?.cursor).toEqual({ anchor: 3, head: 9 }), { timeout: 2000 });
    // the identity is the server's word (B's), not the client's
    expect(fromB()?.user?.id).toBe(users[1]!.id);
    onB.destroy();
    await vi.waitFor(() => expect(fromB()).toBeUndefined(), { timeout: 5000 });
  }, 30_000);

  it("a client on B never speaks for a client on A: not by echoing its state, not by a forged newer one", async () => {
    const [a, b] = await Promise.all([
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
    ]);
    const doc = await addDocument(db, projectId, `${TEXT} (claim)`, { assignTo: users });
    const ada = await client(a, doc.id, users[0]!);
    ada.provider.awareness.setLocalStateField("cursor", { anchor: 1, head: 2 });
    const adaSeenBy = (c: CollabClient) =>
      c.provider.awareness.getStates().get(ada.doc.clientID) as
        | { cursor?: unknown; user?: { id: number } }
        | undefined;
    // a provider sends back every state it hears, Ada's too: B must not take that as the echoer's claim
    const echoer = await client(b, doc.id, users[1]!);
    const watcher = await client(b, doc.id, users[2]!);
    for (const c of [echoer, watcher])
      await vi.waitFor(() => expect(adaSeenBy(c)?.cursor).toEqual({ anchor: 1, head: 2 }), { timeout: 2000 });
    // …or Ada would leave B's presence with the echoer (her next renewal is 15 s away)
    echoer.destroy();
    await new Promise((r) => setTimeout(r, 300));
    expect(adaSeenBy(watcher)).toMatchObject({ cursor: { anchor: 1, head: 2 }, user: { id: users[0]!.id } });

    // Mallory, on B, speaks for Ada's client id with a clock far ahead of hers; her provider forwards it
    const mallory = await client(b, doc.id, users[1]!);
    const forged = new Y.Doc();
    forged.clientID = ada.doc.clientID;
    const forger = new awarenessProtocol.Awareness(forged);
    for (let i = 0; i < 50; i++) forger.setLocalState({ cursor: { anchor: 0, head: 99 }, step: i });
    awarenessProtocol.applyAwarenessUpdate(
      mallory.provider.awareness,
      awarenessProtocol.encodeAwarenessUpdate(forger, [ada.doc.clientID]),
      "forged",
    );
    forger.destroy();
    // a change of Mallory's own goes through B after the forged one: once it arrives, the forgery was judged
    mallory.provider.awareness.setLocalStateField("cursor", { anchor: 5, head: 6 });
    await vi.waitFor(
      () =>
        expect(
          (watcher.provider.awareness.getStates().get(mallory.doc.clientID) as { cursor?: unknown })?.cursor,
        ).toEqual({ anchor: 5, head: 6 }),
      { timeout: 2000 },
    );
    expect(adaSeenBy(watcher)).toMatchObject({ cursor: { anchor: 1, head: 2 }, user: { id: users[0]!.id } });
  }, 30_000);

  it("a member removed through instance A loses their socket on instance B within a second (through Redis: the shared log is read once a minute)", async () => {
    const [a, b] = await Promise.all([
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
    ]);
    const manager = await addUser(db);
    const leaver = await addUser(db);
    const p = await addProject(db, {
      mode: "shared",
      members: [
        { user: manager, role: "manager" },
        { user: leaver, role: "annotator" },
      ],
    });
    const doc = await addDocument(db, p.id, `${TEXT} (rights)`, { assignTo: [leaver] });
    const onB = await client(b, doc.id, leaver);
    const t0 = performance.now();
    const res = await fetch(`${a.url}/api/projects/${p.id}/members/${leaver.id}`, {
      method: "DELETE",
      headers: { cookie: manager.cookie, origin: a.url },
    });
    expect(res.status).toBe(204);
    const closed = await onB.closed();
    const ms = performance.now() - t0;
    console.log(`rights change on A closed the socket on B in ${ms.toFixed(0)} ms`);
    expect([4403, 4404]).toContain(closed.code); // no longer a member: forbidden, or not found at all
    expect(ms).toBeLessThan(1000);
  }, 30_000);

  it("a client that joins on B while A streams ends with every update (nothing falls between B's read and its subscription)", async () => {
    const [a, b] = await Promise.all([
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
      instance({ GLOSS_TEST_POLL_MS: "60000" }),
    ]);
    for (let round = 0; round < 3; round++) {
      const doc = await addDocument(db, projectId, `${TEXT} (join ${round})`, { assignTo: users });
      const onA = await client(a, doc.id, users[0]!);
      let stopped = false;
      const streaming = (async () => {
        for (let i = 0; !stopped && i < 300; i++) {
          const at = i % 70;
          addSpan(
            onA.doc,
            { start: at, end: at + 2 + (i % 5), label: labelIds[i % labelIds.length]!, author: users[0]!.id },
            ctxOf(),
          );
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await new Promise((r) => setTimeout(r, 50 + round * 40));
      const onB = await client(b, doc.id, users[1]!); // B's room loads mid-stream
      stopped = true;
      await streaming;
      await vi.waitFor(() => expect(keys(onB)).toEqual(keys(onA)), { timeout: 3000 });
    }
  }, 60_000);

  it("failed sign-ins count together on every instance: 3 on A and 3 on B, and the 6th is refused", async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const victim = await addUser(db);
    const attempt = (i: Instance) =>
      fetch(`${i.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: i.url },
        body: JSON.stringify({ username: victim.username, password: "not the password" }),
      }).then((r) => r.status);
    const statuses: number[] = [];
    for (const i of [a, b, a, b, a, b]) statuses.push(await attempt(i));
    // the (account, address) rule lets 5 failures through, then blocks: on one server alone B would be at 3
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  }, 30_000);

  it("compaction while another instance appends to the same room deletes exactly what it merged", async () => {
    const limits = JSON.stringify({ compactAfterUpdates: 15, compactWhenQuietMs: 1 });
    const [a, b] = await Promise.all([
      instance({ GLOSS_TEST_LIMITS: limits }),
      instance({ GLOSS_TEST_LIMITS: limits }),
    ]);
    const doc = await addDocument(db, projectId, `${TEXT} (compaction)`, { assignTo: users });
    const onA = await client(a, doc.id, users[0]!);
    const onB = await client(b, doc.id, users[1]!);
    const room = `doc/${doc.id}/shared`;
    const version = async () =>
      (
        await sqlRows<{ v: number }>(
          db,
          sql`SELECT cast(coalesce(max(version), 0) as integer) AS v FROM yjs_snapshots WHERE room = ${room}`,
        )
      )[0]!.v;
    const stream = async (c: CollabClient, u: SeededUser, base: number) => {
      for (let i = 0; i < 150; i++) {
        const at = (base + i) % 70;
        addSpan(
          c.doc,
          { start: at, end: at + 1 + (i % 6), label: labelIds[i % labelIds.length]!, author: u.id },
          ctxOf(),
        );
        // pauses now and then, so each instance compacts between its writes (and the other's)
        await new Promise((r) => setTimeout(r, i % 10 === 0 ? 15 : 1));
      }
    };
    await Promise.all([stream(onA, users[0]!, 0), stream(onB, users[1]!, 35)]);
    await vi.waitFor(() => expect(keys(onA)).toEqual(keys(onB)), { timeout: 5000 });
    expect(keys(onA)).toHaveLength(300);
    // compacted many times over, and the snapshot plus what is left of the log is every update
    await vi.waitFor(async () => expect(await stored(doc.id)).toEqual(keys(onA)), { timeout: 5000 });
    expect(await version()).toBeGreaterThan(5);
    const late = await client(a, doc.id, users[2]!);
    expect(keys(late)).toEqual(keys(onA));
    // the projection both instances wrote converges to the same state
    const projected = async () =>
      (
        await sqlRows<{ start: number; end: number; label: number }>(
          db,
          sql`SELECT start, "end", label_id AS label FROM annotations WHERE document_id = ${doc.id} AND layer = ${"shared"}`,
        )
      )
        .map((r) => `${r.start}-${r.end}-${r.label}`)
        .sort();
    await vi.waitFor(async () => expect(await projected()).toEqual(keys(onA)), { timeout: 5000 });
  }, 60_000);

  it("without Redis the shared log still brings every update across (here within its 200 ms poll)", async () => {
    const env = { GLOSS_REDIS_URL: undefined, GLOSS_TEST_POLL_MS: "200" };
    const [a, b] = await Promise.all([instance(env), instance(env)]);
    const doc = await addDocument(db, projectId, `${TEXT} (no redis)`, { assignTo: users });
    const onA = await client(a, doc.id, users[0]!);
    const onB = await client(b, doc.id, users[1]!);
    const s = addSpan(onA.doc, { start: 4, end: 12, label: labelIds[0]!, author: users[0]!.id }, ctxOf());
    await vi.waitFor(() => expect(onB.doc.getMap("spans").has(s.id)).toBe(true), { timeout: 3000 });
  }, 30_000);

  it("an instance SIGKILLed while clients on both stream loses nothing any client received", async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const doc = await addDocument(db, projectId, `${TEXT} (kill)`, { assignTo: users });
    const onA = await client(a, doc.id, users[0]!);
    const onB = await client(b, doc.id, users[1]!);
    let stopped = false;
    const stream = async (c: CollabClient, u: SeededUser, base: number) => {
      for (let i = 0; !stopped && i < 400; i++) {
        const at = (base + i) % 70;
        addSpan(
          c.doc,
          { start: at, end: at + 3, label: labelIds[i % labelIds.length]!, author: u.id },
          ctxOf(),
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const writing = [stream(onA, users[0]!, 0), stream(onB, users[1]!, 35)];
    await new Promise((r) => setTimeout(r, 400));
    await stop(a, "SIGKILL");
    stopped = true;
    await Promise.all(writing);
    // what B's client holds (its own spans and all of A's it received) is in the log, A's crash or not
    await vi.waitFor(
      async () => {
        const held = keys(onB);
        const log = new Set(await stored(doc.id));
        expect(held.filter((k) => !log.has(k))).toEqual([]);
      },
      { timeout: 5000 },
    );
    // and an instance started afterwards serves all of it
    const c = await instance();
    const late = await client(c, doc.id, users[2]!);
    expect(keys(late)).toEqual(await stored(doc.id));
  }, 60_000);
});

describe("Redis restarted mid-stream", () => {
  let redis: ChildProcess | null = null;
  let port = 0;
  const startRedis = async () => {
    const proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    redis = proc;
    // ready when it accepts a connection
    await vi.waitFor(
      () =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect(port, "127.0.0.1", () => {
            s.end();
            resolve();
          });
          s.on("error", reject);
        }),
      { timeout: 5000, interval: 50 },
    );
  };
  afterEach(() => {
    redis?.kill("SIGKILL");
    redis = null;
  });

  it("instances reconnect; every update written meanwhile arrives (the log fills the gap)", async () => {
    port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    await startRedis();
    const env = { GLOSS_REDIS_URL: `redis://127.0.0.1:${port}`, GLOSS_TEST_POLL_MS: "500" };
    const [a, b] = await Promise.all([instance(env), instance(env)]);
    const doc = await addDocument(db, projectId, `${TEXT} (outage)`, { assignTo: users });
    const onA = await client(a, doc.id, users[0]!);
    const onB = await client(b, doc.id, users[1]!);
    const write = (i: number) =>
      addSpan(onA.doc, { start: i, end: i + 5, label: labelIds[0]!, author: users[0]!.id }, ctxOf()).id;
    const before = write(1);
    await vi.waitFor(() => expect(onB.doc.getMap("spans").has(before)).toBe(true), { timeout: 2000 });
    redis!.kill("SIGKILL");
    const during = [write(2), write(3), write(4)];
    await vi.waitFor(() => expect(during.every((id) => onB.doc.getMap("spans").has(id))).toBe(true), {
      timeout: 5000,
    });
    await startRedis();
    // back on Redis: a fresh update comes across (through Redis or the log, whichever is first)
    const after = write(5);
    await vi.waitFor(() => expect(onB.doc.getMap("spans").has(after)).toBe(true), { timeout: 5000 });
    expect(keys(onB)).toEqual(keys(onA));
    expect(await stored(doc.id)).toEqual(keys(onA));
  }, 60_000);
});

describe("three instances", () => {
  it("six clients on three instances, random concurrent edits, some offline meanwhile, converge with the log", async () => {
    const servers = await Promise.all([instance(), instance(), instance()]);
    const ctx = ctxOf();
    await fc.assert(
      fc.asyncProperty(fc.array(spanOps(6, TEXT.length), { minLength: 10, maxLength: 40 }), async (ops) => {
        const doc = await addDocument(db, projectId, `${TEXT} ${Math.random()}`, { assignTo: users });
        // two clients per instance, each as one of the three users
        const cs = await Promise.all(
          Array.from({ length: 6 }, (_, i) => client(servers[i % 3]!, doc.id, users[i % users.length]!)),
        );
        for (const op of ops)
          await applySpanOp(op, cs, {
            ctx,
            labelIds,
            authorOf: (i) => users[i % users.length]!.id,
            pause: () => new Promise((r) => setTimeout(r, 5)),
          });
        for (const c of cs) if (!c.provider.shouldConnect) c.provider.connect();
        await vi.waitFor(
          async () => {
            const log = await stored(doc.id);
            for (const c of cs) {
              expect(c.provider.synced).toBe(true);
              expect(keys(c)).toEqual(log);
            }
            for (const c of cs.slice(1))
              expect(Y.encodeStateVector(c.doc)).toEqual(Y.encodeStateVector(cs[0]!.doc));
          },
          { timeout: 15_000, interval: 50 },
        );
        for (const c of clients.splice(0)) c.destroy();
      }),
      { numRuns: 10 },
    );
  }, 180_000);
});
