/**
 * The child of test/helpers/I-childServer.ts: a Gloss server on GLOSS_TEST_PORT (0 = any) with its data in
 * GLOSS_TEST_DATA_DIR — the SQLite file there, or the PostgreSQL database GLOSS_TEST_CHILD_DATABASE_URL when
 * set. Prints one JSON line `{ "url", "port" }` when ready and shuts down cleanly (flush, compact) on SIGTERM.
 */
import path from "node:path";
import { testConfig } from "@gloss/server/env";
import { startGloss } from "@gloss/server/server";

const dataDir = process.env.GLOSS_TEST_DATA_DIR;
if (!dataDir) throw new Error("GLOSS_TEST_DATA_DIR is required");
const gloss = await startGloss(
  testConfig({
    dataDir,
    dbFile: path.join(dataDir, "gloss.db"),
    databaseUrl: process.env.GLOSS_TEST_CHILD_DATABASE_URL || null,
    port: Number(process.env.GLOSS_TEST_PORT ?? 0),
    logLevel: "error",
  }),
);
process.stdout.write(`${JSON.stringify({ url: gloss.url, port: gloss.port })}\n`);
process.once("SIGTERM", () => {
  gloss.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
