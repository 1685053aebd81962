/** `gloss serve`: start the server (what `pnpm start` runs). */
import { Command } from "commander";
import { loadConfig } from "../env";

async function serve(): Promise<never> {
  const config = loadConfig();
  // loaded here, not at the top: the other commands do not need the HTTP app
  const { startGloss } = await import("../server");
  const gloss = await startGloss(config);
  const { call, get } = await import("../db/store");
  const anyUser = await call(gloss.store, function* (s) {
    return yield* get(s.q.select({ id: s.t.users.id }).from(s.t.users).limit(1));
  });
  const url =
    config.host === "0.0.0.0" || config.host === "::" ? `http://localhost:${gloss.port}` : gloss.url;
  process.stdout.write(`\nGloss is running at ${url}\n`);
  // the file, or that it is PostgreSQL — never the URL, which may carry a password
  process.stdout.write(
    `  database: ${config.databaseUrl ? "PostgreSQL (GLOSS_DATABASE_URL)" : config.dbFile}\n`,
  );
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
  return new Promise<never>(() => {}); // runs until a signal
}

/** The `serve` command. */
export const serveCommand = () =>
  new Command("serve")
    .description("start the server (settings from PORT, GLOSS_DATA_DIR, GLOSS_ALLOW_SIGNUP, …)")
    .action(serve);
