/** `gloss user add`: create an account from the command line, working directly on the database. */
import { parseArgs } from "node:util";
import { Password, Username } from "@gloss/shared";
import { ZodError, type z } from "zod";
import { type Db, openDb } from "../db/client";
import { loadConfig } from "../env";
import { HttpError } from "../errors";
import { createUser, generatePassword } from "../services/users";
import type { Command } from "./commands";

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
    db = openDb(loadConfig().dbFile);
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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const USER_ADD_USAGE = "user add <username> [--admin] [--display-name N] [--password-stdin]";

export const userCommands: Command[] = [
  {
    name: "user add",
    usage: USER_ADD_USAGE,
    summary: "create an account (password from stdin, or a generated one printed once)",
    run: (args) =>
      runDbCommand(
        USER_ADD_USAGE,
        args,
        {
          admin: { type: "boolean" },
          "display-name": { type: "string" },
          "password-stdin": { type: "boolean" },
        },
        async (db, parsed) => {
          const [rawName] = positionals(parsed, ["username"]);
          const username = argValue(Username, rawName, "<username>");
          let password: string;
          let generated = false;
          if (parsed.values["password-stdin"]) {
            if (process.stdin.isTTY) process.stderr.write("Password (then Enter and Ctrl-D): ");
            // one trailing newline is the terminator of `echo`/a file, not part of the password
            password = argValue(Password, (await readStdin()).replace(/\r?\n$/, ""), "password");
          } else {
            password = generatePassword();
            generated = true;
          }
          const displayName = parsed.values["display-name"];
          if (displayName !== undefined && (typeof displayName !== "string" || !displayName.trim())) {
            throw new UsageError("--display-name must not be empty");
          }
          const row = await createUser(db, {
            username,
            password,
            displayName: displayName as string | undefined,
            isAdmin: !!parsed.values.admin,
          });
          process.stdout.write(
            `Created user ${row.username} (id ${row.id}${row.isAdmin ? ", administrator" : ""})\n`,
          );
          if (generated) process.stdout.write(`Password (shown once): ${password}\n`);
        },
      ),
  },
];
