/** `gloss project create`: create a project owned (managed) by an existing account. */
import { CreateProjectBody, ProjectMode } from "@gloss/shared";
import { HttpError } from "../errors";
import { createProject } from "../services/projects";
import { findUserByUsername } from "../services/users";
import { argValue, positionals, runDbCommand, UsageError } from "./args";
import type { Command } from "./commands";

const USAGE = "project create <name> --owner <username> [--mode independent|shared] [--labels a,b,...]";

export const projectCommands: Command[] = [
  {
    name: "project create",
    usage: USAGE,
    summary: "create a project (prints its id); default labels unless --labels",
    run: (args) =>
      runDbCommand(
        USAGE,
        args,
        { owner: { type: "string" }, mode: { type: "string" }, labels: { type: "string" } },
        (db, parsed) => {
          const [name] = positionals(parsed, ["name"]);
          const owner = parsed.values.owner;
          if (typeof owner !== "string" || !owner) throw new UsageError("--owner <username> is required");
          const mode =
            parsed.values.mode === undefined
              ? undefined
              : argValue(ProjectMode, parsed.values.mode, "--mode");
          const rawLabels = parsed.values.labels;
          const labels =
            typeof rawLabels === "string"
              ? rawLabels
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean)
                  .map((n) => ({ name: n }))
              : undefined;
          if (labels && !labels.length) throw new UsageError("--labels needs at least one name");
          const body = CreateProjectBody.parse({ name, mode, labels });
          const user = findUserByUsername(db, owner);
          if (!user) throw new HttpError(404, "user_not_found", `No user named '${owner}'`);
          const project = createProject(db, user.id, body);
          // stdout carries only the id, so scripts can capture it: id=$(pnpm gloss project create …)
          process.stdout.write(`${project.id}\n`);
          process.stderr.write(
            `Created project '${project.name}' (id ${project.id}), managed by ${user.username}\n`,
          );
        },
      ),
  },
];
