/**
 * A Gloss server in a child process on either database (test/collab/durability.test.ts kills it): as
 * test/collab/fixtures/child.ts, whose server always opens the SQLite file of its data directory, but on
 * `pnpm test:postgres` the child opens the data directory's PostgreSQL database (test/helpers/backend.ts).
 * `openDataDir` opens the same database in the test process, to seed it before and inspect it after.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { openDb } from "@gloss/server/db/client";
import { closePg, openPg } from "@gloss/server/db/pg";
import { pgStore, type Store, sqliteStore } from "@gloss/server/db/store";
import { databaseUrlFor, onPostgres } from "./backend";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ChildServer {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Resolves with the exit signal or code. */
  exited: Promise<NodeJS.Signals | number | null>;
}

/** Starts test/helpers/I-childServerMain.ts on `dataDir` and waits for its ready line. */
export async function startChildServer(dataDir: string, port = 0): Promise<ChildServer> {
  const databaseUrl = onPostgres ? await databaseUrlFor(dataDir) : "";
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "I-childServerMain.ts")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        GLOSS_TEST_DATA_DIR: dataDir,
        GLOSS_TEST_PORT: String(port),
        GLOSS_TEST_CHILD_DATABASE_URL: databaseUrl,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  const lines = readline.createInterface({ input: proc.stdout! });
  const ready = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line)));
    exited.then((how) => reject(new Error(`the server exited before it was ready (${how})`)));
  });
  return { ...ready, proc, exited };
}

/** The database of a data directory (migrated), as the child server opens it: its SQLite file, or its PostgreSQL database. */
export async function openDataDir(dataDir: string): Promise<{ store: Store; close(): Promise<void> }> {
  if (onPostgres) {
    const db = await openPg(await databaseUrlFor(dataDir), { max: 2 });
    return { store: pgStore(db), close: () => closePg(db) };
  }
  const db = openDb(path.join(dataDir, "gloss.db"));
  return {
    store: sqliteStore(db),
    close: async () => {
      db.$client.close();
    },
  };
}
