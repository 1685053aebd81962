/** `gloss user add`: create an account from the command line, working directly on the database. */
import { Password, Username } from "@gloss/shared";
import { createUser, generatePassword } from "../services/users";
import { argValue, positionals, runDbCommand, UsageError } from "./args";
import type { Command } from "./commands";

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
