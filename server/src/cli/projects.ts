/** `gloss project create`: create a project owned (managed) by an existing account. */
import { CreateProjectBody, ProjectMode } from "@gloss/shared";
import { Command } from "commander";
import { call } from "../db/store";
import { HttpError } from "../errors";
import { createProject } from "../services/projects";
import { findUserByUsername } from "../services/users";
import { parseValue, usageError, withStore } from "./common";

interface ProjectCreateOptions {
  owner: string;
  mode?: string;
  labels?: string;
}

function projectCreate(name: string, opts: ProjectCreateOptions): Promise<void> {
  if (!opts.owner) throw usageError("--owner <username> is required");
  const mode = opts.mode === undefined ? undefined : parseValue(ProjectMode, opts.mode, "--mode");
  const labels = opts.labels
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((n) => ({ name: n }));
  if (labels && !labels.length) throw usageError("--labels needs at least one name");
  const body = CreateProjectBody.parse({ name, mode, labels });
  return withStore(async (store) => {
    const user = await call(store, findUserByUsername, opts.owner);
    if (!user) throw new HttpError(404, "user_not_found", `No user named '${opts.owner}'`);
    const project = await call(store, createProject, user.id, body);
    // stdout carries only the id, so scripts can capture it: id=$(pnpm gloss project create …)
    process.stdout.write(`${project.id}\n`);
    process.stderr.write(
      `Created project '${project.name}' (id ${project.id}), managed by ${user.username}\n`,
    );
  });
}

/** The `project` commands. */
export const projectCommand = () =>
  new Command("project")
    .description("projects")
    .addCommand(
      new Command("create")
        .description("create a project (prints its id); the default labels unless --labels")
        .argument("<name>")
        .requiredOption("--owner <username>", "the account that manages it")
        .option("--mode <mode>", "independent (default: a layer per annotator) | shared (one layer for all)")
        .option("--labels <a,b,...>", "the label names, comma separated")
        .action(projectCreate),
    );
