import { loadConfig } from "../env";
import { startGloss } from "../server";
import type { Command } from "./commands";

export const serveCommand: Command = {
  name: "serve",
  usage: "serve",
  summary: "start the server (PORT, GLOSS_DATA_DIR, GLOSS_ALLOW_SIGNUP)",
  async run() {
    const config = loadConfig();
    const gloss = await startGloss(config);
    const { users } = await import("../db/schema");
    const anyUser = gloss.db.select({ id: users.id }).from(users).limit(1).get();
    const url =
      config.host === "0.0.0.0" || config.host === "::" ? `http://localhost:${gloss.port}` : gloss.url;
    process.stdout.write(`\nGloss is running at ${url}\n`);
    process.stdout.write(`  database: ${config.dbFile}\n`);
    process.stdout.write(
      anyUser
        ? "  Sign in with your account (create more with `pnpm gloss user add <name>`).\n\n"
        : `  No accounts yet: open ${url} and register — the first account becomes the administrator\n  (or run \`pnpm gloss user add <name> --admin\`).\n\n`,
    );
    const stop = async (signal: string) => {
      process.stdout.write(`\n${signal}: flushing and shutting down…\n`);
      await gloss.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    return new Promise<number>(() => {}); // runs until a signal
  },
};
