/** The argument handling and database lifecycle shared by the user, project, token and rebuild commands. */
import { parseArgs } from "node:util";
import { ZodError, type z } from "zod";
import { type Db, openDb } from "../db/client";
import { loadConfig } from "../env";
import { HttpError } from "../errors";

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"];
type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

/**
 * Parses a command's arguments strictly (unknown flags are errors), opens the database, runs `body`,
 * and turns failures into exit codes: 2 for bad arguments (with the usage), 1 for anything refused
 * (an unknown user, a taken name). Shared by the user, project and token commands.
 */
export async function runDbCommand(
  usage: string,
  args: string[],
  options: ParseOptions,
  body: (db: Db, parsed: Parsed) => Promise<void> | void,
): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    return usageError(usage, (err as Error).message);
  }
  let db: Db | null = null;
  try {
    db = openDb(loadConfig().dbFile, loadConfig().durability);
    await body(db, parsed);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) return usageError(usage, err.message);
    if (err instanceof ZodError) {
      const first = err.issues[0];
      return usageError(
        usage,
        first ? `${first.path.join(".") || "value"}: ${first.message}` : "invalid value",
      );
    }
    if (err instanceof HttpError) {
      if (err.status === 400) return usageError(usage, err.message);
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    db?.$client.close();
  }
}

function usageError(usage: string, message: string): number {
  process.stderr.write(`error: ${message}\nusage: pnpm gloss ${usage}\n`);
  return 2;
}

/** Exactly `n` positional arguments, or a usage error naming what is missing or extra. */
export function positionals(parsed: Parsed, names: string[]): string[] {
  const got = parsed.positionals;
  if (got.length < names.length) throw new UsageError(`missing <${names[got.length]}>`);
  if (got.length > names.length) throw new UsageError(`unexpected argument '${got[names.length]}'`);
  return got;
}

/** Validates one argument with a shared schema; a failure is a usage error naming the argument. */
export function argValue<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues[0]?.message ?? "invalid value"}`);
  return r.data;
}
