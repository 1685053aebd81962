/**
 * Benchmark child: Hocuspocus 3 (`@hocuspocus/server@3.4.4`) with `@hocuspocus/extension-database`, its
 * `fetch`/`store` on a better-sqlite3 file in WAL mode (HOCUSPOCUS_BENCH_DB), which is what
 * `@hocuspocus/extension-sqlite` does over the `sqlite3` package. Hocuspocus's default store debounce is kept
 * (2 s, maxDebounce 10 s): a document is written 2 s after its last change, or every 10 s under steady
 * changes. No authentication (like the reference server). Prints `{ url }` when listening; its metrics count
 * the client updates applied and how many of them the stored states hold.
 */
import { serveBenchRequests } from "./ipc";

// Loaded from the test package by path: the bench directory has no node_modules of its own.
const here = (p: string) => new URL(p, import.meta.url).href;
type StorePayload = { documentName: string; state: Uint8Array };
type YDocLike = { on(event: "update", cb: () => void): void };
const { Server } = (await import(
  here("../../test/node_modules/@hocuspocus/server/dist/hocuspocus-server.esm.js")
)) as {
  Server: new (
    config: Record<string, unknown>,
  ) => {
    listen(): Promise<unknown>;
    address: { port: number };
  };
};
const { Database } = (await import(
  here("../../test/node_modules/@hocuspocus/extension-database/dist/hocuspocus-database.esm.js")
)) as {
  Database: new (config: {
    fetch(p: { documentName: string }): Promise<Uint8Array | null>;
    store(p: StorePayload): Promise<void>;
  }) => unknown;
};
const { default: Sqlite } = (await import(here("../../test/node_modules/better-sqlite3/lib/index.js"))) as {
  default: new (
    file: string,
  ) => {
    pragma(s: string): unknown;
    exec(s: string): void;
    prepare(s: string): { get(...a: unknown[]): unknown; run(...a: unknown[]): unknown };
  };
};

const file = process.env.HOCUSPOCUS_BENCH_DB;
if (!file) throw new Error("HOCUSPOCUS_BENCH_DB is required");
const db = new Sqlite(file);
db.pragma("journal_mode = WAL");
// The schema of @hocuspocus/extension-sqlite.
db.exec(
  `CREATE TABLE IF NOT EXISTS "documents" ("name" varchar(255) NOT NULL, "data" blob NOT NULL, UNIQUE(name))`,
);
const select = db.prepare(`SELECT data FROM "documents" WHERE name = ? ORDER BY rowid DESC`);
const upsert = db.prepare(
  `INSERT INTO "documents" ("name", "data") VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data`,
);
let stores = 0;
// Per document: client updates applied, and how many of them the last stored state holds. The count is
// taken in Yjs's synchronous `update` event, so no store can encode a state between an update and its count.
const applied = new Map<string, number>();
const persisted = new Map<string, number>();
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const server = new Server({
  port: 0,
  address: "127.0.0.1",
  quiet: true,
  stopOnSignals: false,
  extensions: [
    new Database({
      fetch: async ({ documentName }) => {
        const row = select.get(documentName) as { data: Buffer } | undefined;
        return row ? new Uint8Array(row.data) : null;
      },
      store: async ({ documentName, state }) => {
        // The extension encodes `state` and calls this in one synchronous step: nothing applied since.
        const holds = applied.get(documentName) ?? 0;
        upsert.run(documentName, Buffer.from(state));
        persisted.set(documentName, holds);
        stores++;
      },
    }),
  ],
  // After the stored state is applied: every later update is a client's. A reloaded document keeps its
  // counts (Hocuspocus stores a document before it unloads it).
  afterLoadDocument: async ({ document, documentName }: { document: YDocLike; documentName: string }) => {
    if (!applied.has(documentName)) applied.set(documentName, 0);
    if (!persisted.has(documentName)) persisted.set(documentName, 0);
    document.on("update", () => applied.set(documentName, (applied.get(documentName) ?? 0) + 1));
  },
});
await server.listen();
serveBenchRequests(() => ({ stores, applied: sum(applied), persisted: sum(persisted) }));
process.once("SIGTERM", () => process.exit(0));
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address.port}` })}\n`);
