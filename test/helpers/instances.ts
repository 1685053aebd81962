/**
 * Gloss servers as processes of their own over one data directory (test/helpers/instance.ts), for the tests
 * of several servers behind one address: `startInstance` waits until it listens; `stopInstance` sends
 * SIGTERM (a clean shutdown) or SIGKILL (the crash) and waits for the exit. On PostgreSQL
 * (`pnpm test:postgres`) the instances of one data directory share its database (GLOSS_DATABASE_URL, from
 * test/helpers/backend.ts), as they share its SQLite file otherwise.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { databaseUrlFor, onPostgres } from "./backend";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every server process started here: killed when the test process exits, whatever state its hooks left. */
const spawned = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of spawned) p.kill("SIGKILL");
});

export interface Instance {
  url: string;
  proc: ChildProcess;
  exited: Promise<void>;
}

/**
 * Starts a server process with `env` over its environment (GLOSS_DATA_DIR, GLOSS_REDIS_URL, …); on
 * PostgreSQL, GLOSS_DATABASE_URL defaults to the database of GLOSS_DATA_DIR.
 */
export async function startInstance(env: Record<string, string | undefined>): Promise<Instance> {
  const dataDir = env.GLOSS_DATA_DIR ?? process.env.GLOSS_DATA_DIR;
  const pg =
    onPostgres && dataDir && !("GLOSS_DATABASE_URL" in env)
      ? { GLOSS_DATABASE_URL: await databaseUrlFor(dataDir) }
      : {};
  const proc = spawn(process.execPath, ["--import", "tsx", "test/helpers/instance.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...pg, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  spawned.add(proc);
  const exited = new Promise<void>((resolve) =>
    proc.once("exit", () => {
      spawned.delete(proc);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).once("line", (line) => resolve(JSON.parse(line).url));
    void exited.then(() => reject(new Error("the instance exited before it listened")));
  });
  return { url, proc, exited };
}

export async function stopInstance(i: Instance, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (i.proc.exitCode === null && i.proc.signalCode === null) i.proc.kill(signal);
  await i.exited;
}
