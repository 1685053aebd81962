/** `gloss token create`: mint a personal API token for an account (printed once). */
import { CreateTokenBody } from "@gloss/shared";
import { Command } from "commander";
import { call } from "../db/store";
import { HttpError } from "../errors";
import { createToken } from "../services/tokens";
import { findUserByUsername } from "../services/users";
import { parseOptions, withStore } from "./common";

function tokenCreate(username: string, opts: { name: string }): Promise<void> {
  const { name } = parseOptions(CreateTokenBody, { name: opts.name });
  return withStore(async (store) => {
    const user = await call(store, findUserByUsername, username);
    if (!user) throw new HttpError(404, "user_not_found", `No user named '${username}'`);
    const { token, row } = await call(store, createToken, user.id, name, { via: "cli" });
    // stdout carries only the token, so scripts can capture it
    process.stdout.write(`${token}\n`);
    process.stderr.write(
      `Created token '${row.name}' (id ${row.id}) for ${user.username}: it is shown only now\n`,
    );
  });
}

/** The `token` commands. */
export const tokenCommand = () =>
  new Command("token")
    .description("personal API tokens")
    .addCommand(
      new Command("create")
        .description("create a personal API token for a user (printed once, on stdout)")
        .argument("<username>")
        .option("--name <name>", "what the token is for", "cli")
        .action(tokenCreate),
    );
