/**
 * Benchmark child: a real Gloss server (API + collaboration on one port) over a file database that the
 * parent has seeded (GLOSS_BENCH_DATA_DIR). Prints `{ url }` when listening; SIGTERM shuts it down cleanly.
 * GLOSS_REDIS_URL / GLOSS_REDIS_PREFIX make it one of several servers over that file, or over the PostgreSQL
 * database of GLOSS_DATABASE_URL (bench:scale-out). It runs the built bundle `pnpm start` runs
 * (server/dist/server.js: the bench scripts build the server first); GLOSS_BENCH_SOURCE=1 runs the TypeScript
 * sources instead (the loader alone holds ≈55 MB of a server started from sources, and compiles on first use).
 */
import path from "node:path";
import { serveBenchRequests } from "./ipc";

type Library = typeof import("../../server/src/library");
const { startGloss, testConfig }: Library = process.env.GLOSS_BENCH_SOURCE
  ? await import("../../server/src/library")
  : await import(path.join(import.meta.dirname, "../../server/dist/server.js"));

const dataDir = process.env.GLOSS_BENCH_DATA_DIR;
if (!dataDir) throw new Error("GLOSS_BENCH_DATA_DIR is required");
const gloss = await startGloss(
  testConfig({
    dataDir,
    dbFile: path.join(dataDir, "gloss.db"),
    logLevel: "error",
    // GLOSS_DURABILITY=strict: synchronous=FULL (measured beside the default).
    durability: process.env.GLOSS_DURABILITY === "strict" ? "strict" : "normal",
    // PostgreSQL instead of the file (bench:scale-out's PostgreSQL configurations).
    databaseUrl: process.env.GLOSS_DATABASE_URL || null,
    // Several instances over one database relay their rooms through Redis (bench:scale-out).
    redisUrl: process.env.GLOSS_REDIS_URL || null,
    ...(process.env.GLOSS_REDIS_PREFIX ? { redisPrefix: process.env.GLOSS_REDIS_PREFIX } : {}),
  }),
);
// GLOSS_BENCH_LIMITS (JSON) overrides collab limits, e.g. to see what the projection costs.
Object.assign(gloss.deps.collab.limits, JSON.parse(process.env.GLOSS_BENCH_LIMITS ?? "{}"));
serveBenchRequests(() => gloss.deps.collab.metrics());
process.once("SIGTERM", () => {
  gloss.close().then(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ url: gloss.url })}\n`);
