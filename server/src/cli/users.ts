/** `gloss user add`: create an account from the command line, working directly on the database. */
import { Password, Username } from "@gloss/shared";
import { Command } from "commander";
import { createUser, generatePassword } from "../services/users";
import { parseValue, usageError, withStore } from "./common";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

interface UserAddOptions {
  admin?: boolean;
  displayName?: string;
  passwordStdin?: boolean;
}

async function userAdd(rawName: string, opts: UserAddOptions): Promise<void> {
  const username = parseValue(Username, rawName, "<username>");
  if (opts.displayName !== undefined && !opts.displayName.trim()) {
    throw usageError("--display-name must not be empty");
  }
  let password: string;
  let generated = false;
  if (opts.passwordStdin) {
    if (process.stdin.isTTY) process.stderr.write("Password (then Enter and Ctrl-D): ");
    // one trailing newline is the terminator of `echo`/a file, not part of the password
    password = parseValue(Password, (await readStdin()).replace(/\r?\n$/, ""), "password");
  } else {
    password = generatePassword();
    generated = true;
  }
  await withStore(async (store) => {
    const row = await createUser(store, {
      username,
      password,
      displayName: opts.displayName,
      isAdmin: !!opts.admin,
    });
    process.stdout.write(
      `Created user ${row.username} (id ${row.id}${row.isAdmin ? ", administrator" : ""})\n`,
    );
    if (generated) process.stdout.write(`Password (shown once): ${password}\n`);
  });
}

/** The `user` commands. */
export const userCommand = () =>
  new Command("user")
    .description("accounts")
    .addCommand(
      new Command("add")
        .description("create an account (password from stdin, or a generated one printed once)")
        .argument("<username>", "letters, digits, . _ -")
        .option("--admin", "an administrator (the first account always is)")
        .option("--display-name <name>", "the name shown to others (default: the username)")
        .option("--password-stdin", "read the password from stdin instead of generating one")
        .action(userAdd),
    );
