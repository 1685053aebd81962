/**
 * Global setup of the PostgreSQL projects: names this run (GLOSS_TEST_RUN, inherited by the test workers),
 * so that the databases its tests create — including those a restarted server reopens, which no single
 * test may drop — are dropped together when the run ends.
 */
import { randomBytes } from "node:crypto";
import { dropTestDatabases, runPrefix } from "./postgres";

export default function setup() {
  process.env.GLOSS_TEST_RUN ??= randomBytes(4).toString("hex");
  return async () => {
    await dropTestDatabases(runPrefix());
  };
}
