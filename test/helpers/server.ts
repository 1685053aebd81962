import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Config, testConfig } from "@gloss/server/env";
import { type RunningGloss, startGloss } from "@gloss/server/server";

export interface TestServer extends RunningGloss {
  /** ws://… base of the collaboration socket. */
  wsUrl: string;
  /** The data directory (a fresh temp dir when `file` was asked for). */
  dataDir: string;
}

/**
 * Starts a real Gloss server on port 0 with its own real SQLite database, migrated by the real migrations.
 * `file: true` uses a database file in a fresh temp dir (for restart tests); otherwise `:memory:`.
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
  const gloss = await startGloss(config);
  return { ...gloss, wsUrl: gloss.url.replace(/^http/, "ws"), dataDir };
}
