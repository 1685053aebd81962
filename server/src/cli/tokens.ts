/** `gloss token create`: mint a personal API token for an account (printed once). */
import { CreateTokenBody } from "@gloss/shared";
import { createApiToken } from "../auth/sessions";
import { HttpError } from "../errors";
import { audit } from "../services/audit";
import { findUserByUsername } from "../services/users";
import { positionals, runDbCommand } from "./args";
import type { Command } from "./commands";

const USAGE = "token create <username> [--name N]";

export const tokenCommands: Command[] = [
  {
    name: "token create",
    usage: USAGE,
    summary: "create a personal API token for a user (printed once)",
    run: (args) =>
      runDbCommand(USAGE, args, { name: { type: "string" } }, (db, parsed) => {
        const [username] = positionals(parsed, ["username"]);
        const { name } = CreateTokenBody.parse({ name: parsed.values.name ?? "cli" });
        const user = findUserByUsername(db, username!);
        if (!user) throw new HttpError(404, "user_not_found", `No user named '${username}'`);
        const { token, row } = db.transaction(() => {
          const created = createApiToken(db, user.id, name);
          audit(db, {
            userId: user.id,
            action: "token.create",
            target: `token:${created.row.id}`,
            details: { name, via: "cli" },
          });
          return created;
        });
        // stdout carries only the token, so scripts can capture it
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          `Created token '${row.name}' (id ${row.id}) for ${user.username}: it is shown only now\n`,
        );
      }),
  },
];
