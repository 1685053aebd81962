import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Config, testConfig } from "@gloss/server/env";
import { type RunningGloss, startGloss } from "@gloss/server/server";
import { databaseUrlFor, onPostgres } from "./backend";

export interface TestServer extends RunningGloss {
  /** ws://… base of the collaboration socket. */
  wsUrl: string;
  /** The data directory (a fresh temp dir when `file` was asked for). */
  dataDir: string;
}

/**
 * Starts a real Gloss server on port 0 with its own real database, migrated by the real migrations: SQLite
 * (`file: true`: a database file in a fresh temp dir, for restart tests; otherwise `:memory:`), or on
 * `pnpm test:postgres` a PostgreSQL database of its own (the same one again for the same `dataDir`).
 */
export async function startServer(
  opts: { file?: boolean; dataDir?: string; config?: Partial<Config> } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (opts.file ? fs.mkdtempSync(path.join(os.tmpdir(), "gloss-test-")) : "");
  const config = testConfig({
    dataDir,
    dbFile: dataDir ? path.join(dataDir, "gloss.db") : ":memory:",
    ...opts.config,
  });
  if (onPostgres) config.databaseUrl ??= await databaseUrlFor(dataDir);
  const gloss = await startGloss(config);
  const { url, port, deps, store } = gloss;
  const server = {
    url,
    port,
    deps,
    store,
    close: () => gloss.close(),
    wsUrl: url.replace(/^http/, "ws"),
    dataDir,
  };
  // `db` stays a getter (a spread would read it): SQLite only, it throws on PostgreSQL
  return Object.defineProperty(server, "db", { get: () => gloss.db, enumerable: true }) as TestServer;
}
