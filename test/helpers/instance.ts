/**
 * One Gloss server in a process of its own, for the multi-instance tests: `loadConfig` reads its environment
 * as `pnpm start` does (GLOSS_DATA_DIR, GLOSS_REDIS_URL, GLOSS_REDIS_PREFIX, PORT=0), and
 * GLOSS_TEST_POLL_MS sets how often it reads what the others wrote to the shared log (the safety net under
 * Redis; a test sets it high to prove a delivery came through Redis) and GLOSS_TEST_LIMITS (JSON) other
 * collaboration limits. On PostgreSQL (GLOSS_DATABASE_URL) the others' log rows and rights changes arrive by
 * LISTEN/NOTIFY instead of a poll: a poll of a minute or more turns that off too (the instance reads the
 * log only when it loads a room), so what arrives within a test came through Redis there as well.
 * Prints `{"url": …}` once listening; SIGTERM closes it cleanly, SIGKILL is the crash.
 */
import { PgLayerStore } from "@gloss/server/collab/pgPersistence";
import { loadConfig } from "@gloss/server/env";
import { startGloss } from "@gloss/server/server";

const config = loadConfig({ ...process.env, PORT: "0", HOST: "127.0.0.1", GLOSS_LOG_LEVEL: "error" });
if (config.databaseUrl && Number(process.env.GLOSS_TEST_POLL_MS) >= 60_000)
  PgLayerStore.prototype.watchExternal = () => () => {};
const gloss = await startGloss(config);
const poll = Number(process.env.GLOSS_TEST_POLL_MS);
if (poll > 0) gloss.deps.collab.limits.externalPollMs = poll;
// GLOSS_TEST_LIMITS (JSON) overrides other collaboration limits, e.g. to compact after a few updates
Object.assign(gloss.deps.collab.limits, JSON.parse(process.env.GLOSS_TEST_LIMITS ?? "{}"));
process.stdout.write(`${JSON.stringify({ url: gloss.url })}\n`);
process.on("SIGTERM", () => {
  void gloss.close().then(() => process.exit(0));
});
