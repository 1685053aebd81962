/**
 * What every `pnpm gloss` command shares: the one error type, options validated by the same zod schemas as
 * the HTTP API, the database lifecycle, and the one place where a failure becomes a message and an exit code
 * (0 done, 1 the work failed, 2 the command line is wrong).
 */
import { type Command, CommanderError, InvalidArgumentError } from "commander";
import { ZodError, type z } from "zod";
import { type Db, openDb } from "../db/client";
import { closePg, openPg } from "../db/pg";
import { pgStore, type Store, sqliteStore } from "../db/store";
import { type Config, loadConfig } from "../env";
import { HttpError } from "../errors";
import { formatImportError, ImportError } from "../import/errors";

/**
 * A command that cannot go on. Exit code 2: the command line is wrong (printed with the usage); 1: the work
 * failed (an unknown user, a missing file), printed as `gloss <command>: message`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A wrong command line (exit 2, with the usage). */
export const usageError = (message: string) => new CliError(message, 2);

/** Argument parser for ids (`<projectId>`, `--project N`): anything but a positive whole number is a usage error. */
export function positiveId(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new InvalidArgumentError("expected a positive whole number.");
  return Number(value);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Validates options with an HTTP query schema; a failure is a usage error naming the option (`--min-iou: …`). */
export function parseOptions<S extends z.ZodType>(schema: S, values: Record<string, unknown>): z.output<S> {
  const r = schema.safeParse(values);
  if (r.success) return r.data;
  throw usageError(
    r.error.issues.map((i) => `--${kebab(String(i.path[0] ?? "options"))}: ${i.message}`).join("; "),
  );
}

/** Validates one value with a shared schema; a failure is a usage error naming it. */
export function parseValue<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw usageError(`${what}: ${r.error.issues[0]?.message ?? "invalid value"}`);
  return r.data;
}

/** Opens the configured database for `body` and closes it afterwards, whatever happens. */
export async function withDb<T>(body: (db: Db, config: Config) => Promise<T> | T): Promise<T> {
  const config = loadConfig();
  const db = openDb(config.dbFile, config.durability);
  try {
    return await body(db, config);
  } finally {
    db.$client.close();
  }
}

/**
 * Opens the configured database — PostgreSQL when GLOSS_DATABASE_URL is set, else the SQLite file — for
 * `body` as a store, and closes it afterwards, whatever happens.
 */
export async function withStore<T>(body: (store: Store, config: Config) => Promise<T> | T): Promise<T> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const pgDb = await openPg(config.databaseUrl, { max: 2 });
    try {
      return await body(pgStore(pgDb), config);
    } finally {
      await closePg(pgDb);
    }
  }
  return withDb((db) => body(sqliteStore(db), config));
}

/** Where the configured database is, for messages (never the URL: it may carry a password). */
export const databaseName = (config: Config) =>
  config.databaseUrl ? "the PostgreSQL database" : config.dbFile;

/** "user add" for the `add` under `user` (the program itself has no name in it). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The line printed under a usage error: how the command is called, and where the details are. */
export function usageHint(cmd: Command): string {
  const path = commandPath(cmd);
  const call = path ? `pnpm gloss ${path} ${cmd.usage()}` : "pnpm gloss <command> [options]";
  return `usage: ${call}   (pnpm gloss ${path ? `${path} ` : ""}--help for more)`;
}

/** A wrong command line: what commander reports itself, plus our own checks, zod refusals and the API's 400s. */
function usageMessage(err: unknown): string | null {
  if (err instanceof CliError) return err.exitCode === 2 ? err.message : null;
  if (err instanceof ZodError) {
    const first = err.issues[0];
    return first ? `${first.path.join(".") || "value"}: ${first.message}` : "invalid value";
  }
  // a 400 from a service refuses a value the command line gave (an unknown label in --labels …);
  // an ImportError is a 400 about a file's content instead: a failure
  if (err instanceof HttpError && err.status === 400 && !(err instanceof ImportError)) return err.message;
  return null;
}

/** The lines listed under an API error (an annotation import's per-record errors), at most 50. */
function detailLines(err: HttpError): string[] {
  const details = err.details as { errors?: Array<{ message: string }>; total?: number } | undefined;
  const lines = (details?.errors ?? []).slice(0, 50).map((e) => e.message);
  const total = details?.total ?? 0;
  if (total > 50) lines.push(`… and ${total - 50} more`);
  return lines;
}

/**
 * Prints what went wrong in `cmd` to stderr and returns the exit code. Commander's own errors (unknown
 * options, missing arguments) are printed by commander in the same shape: `error: …` then the usage line.
 * Anything that is not a known failure is rethrown: a bug, printed by main with its message.
 */
export function reportError(err: unknown, cmd: Command): number {
  const stderr = process.stderr;
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // help shown (0), or already printed
  const usage = usageMessage(err);
  if (usage !== null) {
    stderr.write(`error: ${usage}\n${usageHint(cmd)}\n`);
    return 2;
  }
  if (err instanceof ImportError) {
    // `file:line: reason` first on its line, so editors can jump to it
    stderr.write(`${formatImportError(err.where)}\nNothing was imported.\n`);
    return 1;
  }
  if (err instanceof CliError || err instanceof HttpError) {
    const details = err instanceof HttpError ? detailLines(err) : [];
    stderr.write(`gloss ${commandPath(cmd)}: ${err.message}\n${details.map((d) => `  ${d}\n`).join("")}`);
    return 1;
  }
  throw err;
}

/**
 * Settings every command gets (commander copies them only to commands made with `.command()`): errors are
 * thrown (main turns them into exit codes), and a usage error is followed by the command's usage line.
 */
export function configureTree(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError(usageHint(cmd));
  for (const sub of cmd.commands) configureTree(sub);
}
