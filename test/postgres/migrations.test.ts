// The PostgreSQL schema and migrations: run by `pnpm test:postgres` against a real server (see
// test/helpers/postgres.ts), each test file on databases of its own.
import fs from "node:fs";
import path from "node:path";
import { closePg, openPg, type PgDb } from "@gloss/server/db/pg";
import * as pgSchema from "@gloss/server/db/pgSchema";
import * as sqliteSchema from "@gloss/server/db/schema";
import { PG_MIGRATIONS_DIR } from "@gloss/server/paths";
import { eq, getTableName, is, sql } from "drizzle-orm";
import { PgTable, getTableConfig as pgTableConfig } from "drizzle-orm/pg-core";
import { SQLiteTable, getTableConfig as sqliteTableConfig } from "drizzle-orm/sqlite-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, pgAvailable } from "../helpers/postgres";

type Shape = {
  columns: string[];
  primaryKey: string[];
  uniques: string[];
  indexes: string[];
  foreignKeys: string[];
};

type Config = ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>;
type AnyColumn = Config["columns"][number];

/** A table's keys, uniques, indexes and cascades, and its columns as `column` describes each. */
function shapeOf(c: Config, column: (col: AnyColumn) => string): Shape {
  const columns = c.columns as AnyColumn[];
  return {
    columns: columns.map(column),
    primaryKey: [
      ...columns.filter((col) => col.primary).map((col) => col.name),
      ...c.primaryKeys.flatMap((pk) => pk.columns.map((col) => col.name)),
    ],
    uniques: columns.filter((col) => col.isUnique).map((col) => col.name),
    indexes: c.indexes.map((i) => `${i.config.name} ${i.config.unique}`),
    foreignKeys: c.foreignKeys.map((fk) => {
      const r = fk.reference();
      const cols = r.columns.map((col) => col.name).join(",");
      return `${cols} → ${getTableName(r.foreignTable)} ${fk.onDelete}`;
    }),
  };
}

/** What both schemas must agree on, per table: names, nullability, defaults, keys, indexes, cascades. */
function shapes(): { sqlite: Map<string, Shape>; pg: Map<string, Shape> } {
  const sqlite = new Map<string, Shape>();
  for (const t of Object.values(sqliteSchema)) {
    if (!is(t, SQLiteTable)) continue;
    const c = sqliteTableConfig(t);
    sqlite.set(
      c.name,
      shapeOf(c, (col) => {
        // An INTEGER PRIMARY KEY is SQLite's rowid, which drizzle counts as a default even without
        // autoIncrement; only the autoIncrement ones are ids the database assigns (identity in PostgreSQL).
        const rowid = col.primary && col.columnType === "SQLiteInteger";
        const hasDefault = rowid
          ? (col as unknown as { autoIncrement: boolean }).autoIncrement
          : col.hasDefault;
        return `${col.name} ${col.notNull ? "not null" : "null"} ${hasDefault}`;
      }),
    );
  }
  const pgShapes = new Map<string, Shape>();
  for (const t of Object.values(pgSchema)) {
    if (!is(t, PgTable)) continue;
    const c = pgTableConfig(t);
    pgShapes.set(
      c.name,
      shapeOf(c, (col) => `${col.name} ${col.notNull ? "not null" : "null"} ${col.hasDefault}`),
    );
  }
  return { sqlite, pg: pgShapes };
}

const journal = JSON.parse(fs.readFileSync(path.join(PG_MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};

const drops: (() => Promise<void>)[] = [];
const dbs: PgDb[] = [];

async function freshUrl(): Promise<string> {
  const t = await createTestDatabase();
  drops.push(t.drop);
  return t.url;
}

async function open(url: string): Promise<PgDb> {
  const db = await openPg(url, { max: 3 });
  dbs.push(db);
  return db;
}

async function applied(db: PgDb): Promise<number> {
  const r = await db.$client.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
  return r.rows[0].n as number;
}

async function epoch(db: PgDb): Promise<number> {
  const r = await db.$client.query('SELECT "n" FROM "rights_epoch" WHERE "id" = 1');
  return r.rows[0].n as number;
}

async function stamp(db: PgDb, documentId: number): Promise<number> {
  const r = await db.$client.query('SELECT "n" FROM "curation_stamps" WHERE "document_id" = $1', [
    documentId,
  ]);
  return (r.rows[0]?.n as number | undefined) ?? 0;
}

/** A client LISTENing on `channel`; `next()` resolves with the next payload. */
async function listen(url: string, channel: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const payloads: string[] = [];
  const waiters: ((p: string) => void)[] = [];
  client.on("notification", (n) => {
    if (n.channel !== channel) return;
    const w = waiters.shift();
    if (w) w(n.payload ?? "");
    else payloads.push(n.payload ?? "");
  });
  await client.query(`LISTEN ${channel}`);
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        const p = payloads.shift();
        if (p !== undefined) return resolve(p);
        const timer = setTimeout(() => reject(new Error(`no NOTIFY on ${channel} within 5 s`)), 5_000);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      }),
    /** Payloads received and not yet taken. */
    pending: () => payloads.length,
    close: () => client.end(),
  };
}

describe("PostgreSQL schema and migrations", () => {
  let url: string;
  let db: PgDb;

  beforeAll(async () => {
    if (!(await pgAvailable())) {
      throw new Error(
        "PostgreSQL is not reachable (GLOSS_TEST_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/test)",
      );
    }
    url = await freshUrl();
    db = await open(url);
  });

  afterAll(async () => {
    for (const d of dbs.splice(0)) await closePg(d);
    for (const drop of drops.splice(0)) await drop();
  });

  it("has every table of the SQLite schema, with the same columns, keys, indexes and cascades", async () => {
    const { sqlite, pg: pgShapes } = shapes();
    expect([...pgShapes.keys()].sort()).toEqual([...sqlite.keys()].sort());
    for (const [name, shape] of sqlite) expect({ name, ...pgShapes.get(name) }).toEqual({ name, ...shape });

    // …and the migrations made exactly those tables and columns (plus rights_epoch, as in SQLite).
    const cols = await db.$client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'
       ORDER BY table_name, ordinal_position`,
    );
    const inDb = new Map<string, string[]>();
    for (const r of cols.rows) inDb.set(r.table_name, [...(inDb.get(r.table_name) ?? []), r.column_name]);
    const expected = new Map(
      [...sqlite].map(([name, s]) => [name, s.columns.map((c) => c.split(" ")[0]!)] as const),
    );
    expected.set("rights_epoch", ["id", "n"]);
    expect(Object.fromEntries([...inDb].sort())).toEqual(Object.fromEntries([...expected].sort()));
    const idx = await db.$client.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
    );
    const names = new Set(idx.rows.map((r) => r.indexname));
    for (const s of sqlite.values()) for (const i of s.indexes) expect(names).toContain(i.split(" ")[0]);
  });

  it("applies every migration once; opening again is a no-op", async () => {
    expect(await applied(db)).toBe(journal.entries.length);
    const again = await open(url);
    expect(await applied(again)).toBe(journal.entries.length);
    expect(await epoch(again)).toBe(await epoch(db));
  });

  it("lets two servers open a fresh database at once (one migrates, the other waits for it)", async () => {
    const fresh = await freshUrl();
    const [a, b] = await Promise.all([open(fresh), open(fresh)]);
    expect(await applied(a)).toBe(journal.entries.length);
    expect(await applied(b)).toBe(journal.entries.length);
  });

  it("bumps rights_epoch once per statement that changed rights rows (not for new credentials or a token's use), and NOTIFYs gloss_rights", async () => {
    const rights = await listen(url, "gloss_rights");
    try {
      const n0 = await epoch(db);
      const [user] = await db
        .insert(pgSchema.users)
        .values({ username: "ada", displayName: "Ada", passwordHash: "x" })
        .returning();
      expect(await epoch(db)).toBe(n0 + 1);
      expect(await rights.next()).toBe(String(n0 + 1));
      const [project] = await db.insert(pgSchema.projects).values({ name: "P" }).returning();
      await db
        .insert(pgSchema.projectMembers)
        .values({ projectId: project!.id, userId: user!.id, role: "manager" });
      expect(await epoch(db)).toBe(n0 + 3);
      // Two rows, one statement: one bump (a server only asks whether it moved).
      await db.insert(pgSchema.users).values([
        { username: "bob", displayName: "Bob", passwordHash: "x" },
        { username: "cy", displayName: "Cy", passwordHash: "x" },
      ]);
      expect(await epoch(db)).toBe(n0 + 4);
      // A statement that changed nothing does not move it.
      await db
        .update(pgSchema.users)
        .set({ displayName: "Nobody" })
        .where(eq(pgSchema.users.username, "zed"));
      await db.delete(pgSchema.sessions).where(eq(pgSchema.sessions.id, "none"));
      expect(await epoch(db)).toBe(n0 + 4);
      // New credentials grant nothing to an open socket, a token's use is bookkeeping; a revocation moves it.
      await db
        .insert(pgSchema.sessions)
        .values({ id: "s1", userId: user!.id, expiresAt: Date.now() + 60_000 });
      const [token] = await db
        .insert(pgSchema.apiTokens)
        .values({ userId: user!.id, name: "t", prefix: "p", tokenHash: "h" })
        .returning();
      await db
        .update(pgSchema.apiTokens)
        .set({ lastUsedAt: Date.now() })
        .where(eq(pgSchema.apiTokens.id, token!.id));
      expect(await epoch(db)).toBe(n0 + 4);
      await db
        .update(pgSchema.apiTokens)
        .set({ revokedAt: Date.now() })
        .where(eq(pgSchema.apiTokens.id, token!.id));
      expect(await epoch(db)).toBe(n0 + 5);
      await db.delete(pgSchema.sessions).where(eq(pgSchema.sessions.id, "s1"));
      expect(await epoch(db)).toBe(n0 + 6);
      expect(typeof user!.createdAt).toBe("number");
      expect(Math.abs(user!.createdAt - Date.now())).toBeLessThan(60_000);
    } finally {
      await rights.close();
    }
  });

  it("bumps a document's curation stamp when its spans change, and every project document's for a label", async () => {
    const [project] = await db.insert(pgSchema.projects).values({ name: "Stamps" }).returning();
    const pid = project!.id;
    const docs = await db
      .insert(pgSchema.documents)
      .values([
        { projectId: pid, name: "a", text: "alpha", sha256: "a", length: 5 },
        { projectId: pid, name: "b", text: "beta", sha256: "b", length: 4 },
      ])
      .returning();
    const [d1, d2] = [docs[0]!.id, docs[1]!.id];
    expect(await stamp(db, d1)).toBe(0);
    const span = (spanId: string) => ({
      projectId: pid,
      documentId: d1,
      layer: "user/1",
      spanId,
      start: 0,
      end: 5,
      labelId: 1,
      createdAt: Date.now(),
    });
    await db.insert(pgSchema.annotations).values(span("s1"));
    expect(await stamp(db, d1)).toBe(1);
    await db.insert(pgSchema.annotations).values([span("s2"), span("s3")]);
    expect(await stamp(db, d1)).toBe(2);
    expect(await stamp(db, d2)).toBe(0);
    await db.insert(pgSchema.labels).values({ projectId: pid, name: "PER", color: "#f00" });
    expect([await stamp(db, d1), await stamp(db, d2)]).toEqual([3, 1]);
    await db.insert(pgSchema.layerStates).values({
      projectId: pid,
      documentId: d2,
      layer: "user/1",
      status: "done",
      updatedAt: Date.now(),
    });
    expect(await stamp(db, d2)).toBe(2);
    // Cascades fire the triggers after the document is gone: deleting still works, and leaves no stamp.
    await db.delete(pgSchema.documents).where(eq(pgSchema.documents.id, d1));
    expect(await stamp(db, d1)).toBe(0);
    await db.delete(pgSchema.projects).where(eq(pgSchema.projects.id, pid));
    const left = await db.$client.query(
      "SELECT count(*)::int AS n FROM curation_stamps WHERE document_id = $1",
      [d2],
    );
    expect(left.rows[0].n).toBe(0);
  });

  it("NOTIFYs new Yjs log rows (id and room) and snapshot writes (room and version)", async () => {
    const updates = await listen(url, "gloss_yjs_updates");
    const snapshots = await listen(url, "gloss_yjs_snapshots");
    try {
      const [row] = await db
        .insert(pgSchema.yjsUpdates)
        .values({ room: "doc/12/shared", update: Buffer.from([1, 2, 3]) })
        .returning();
      expect(await updates.next()).toBe(`${row!.id} doc/12/shared`);
      // Nothing is delivered before the writing transaction commits.
      let insertedId = 0;
      await db.transaction(async (tx) => {
        const [r] = await tx
          .insert(pgSchema.yjsUpdates)
          .values({ room: "doc/12/user/3", update: Buffer.from([4]) })
          .returning();
        insertedId = r!.id;
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(updates.pending()).toBe(0);
      });
      expect(await updates.next()).toBe(`${insertedId} doc/12/user/3`);

      await db
        .insert(pgSchema.yjsSnapshots)
        .values({ room: "doc/12/shared", state: Buffer.from([9]), version: 1 });
      expect(await snapshots.next()).toBe("doc/12/shared 1");
      await db
        .update(pgSchema.yjsSnapshots)
        .set({ version: 2 })
        .where(eq(pgSchema.yjsSnapshots.room, "doc/12/shared"));
      expect(await snapshots.next()).toBe("doc/12/shared 2");
    } finally {
      await updates.close();
      await snapshots.close();
    }
  });

  it("returns BIGINT columns as numbers and bytea as Buffers", async () => {
    const big = 2 ** 40 + 7;
    await db
      .insert(pgSchema.yjsUpdates)
      .values({ id: big, room: "doc/1/shared", update: Buffer.from([7, 8]) });
    const [viaDrizzle] = await db.select().from(pgSchema.yjsUpdates).where(eq(pgSchema.yjsUpdates.id, big));
    expect(viaDrizzle!.id).toBe(big);
    expect(typeof viaDrizzle!.createdAt).toBe("number");
    expect(Buffer.isBuffer(viaDrizzle!.update)).toBe(true);
    expect([...viaDrizzle!.update]).toEqual([7, 8]);
    // The pool's own queries: int8 parsed as a number, not node-postgres' default string.
    const raw = await db.$client.query(
      "SELECT id, created_at, max(id) OVER () AS top FROM yjs_updates WHERE id = $1",
      [big],
    );
    expect(raw.rows[0]).toMatchObject({ id: big, top: big });
    expect(typeof raw.rows[0].created_at).toBe("number");
    // Drizzle passes its own parsers per query: a raw int8 expression through it needs a cast.
    const counted = await db.select({ n: sql<number>`count(*)::int` }).from(pgSchema.yjsUpdates);
    expect(typeof counted[0]!.n).toBe("number");
    // jsonb defaults come back as values, as the SQLite json columns do.
    const [p] = await db.insert(pgSchema.projects).values({ name: "J" }).returning();
    expect(p!.relationTypes).toEqual(["attributes"]);
  });
});
