/** The `pnpm gloss` program: one commander program, each command defined in its own file. */
import { Command } from "commander";
import { agreementCommand } from "./agreement";
import { configureTree } from "./common";
import { exportCommand } from "./export";
import { importCommand } from "./import";
import { importAnnotationsCommand } from "./importAnnotations";
import { projectCommand } from "./projects";
import { rebuildCommand } from "./rebuild";
import { serveCommand } from "./serve";
import { tokenCommand } from "./tokens";
import { userCommand } from "./users";

/** The whole command line, configured to throw (main turns errors into exit codes). */
export function createProgram(): Command {
  const program = new Command("pnpm gloss")
    .description(
      "Gloss: a collaborative annotation workbench. Commands work on the database in GLOSS_DATA_DIR.",
    )
    .addCommand(serveCommand())
    .addCommand(userCommand())
    .addCommand(projectCommand())
    .addCommand(tokenCommand())
    .addCommand(importCommand())
    .addCommand(rebuildCommand())
    .addCommand(agreementCommand())
    .addCommand(exportCommand())
    .addCommand(importAnnotationsCommand());
  configureTree(program);
  return program;
}
