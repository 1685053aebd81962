import { agreementCommands } from "./agreement";
import { exportCommands } from "./export";
import { importCommands } from "./import";
import { importAnnotationsCommands } from "./importAnnotations";
import { projectCommands } from "./projects";
import { rebuildCommands } from "./rebuild";
import { serveCommand } from "./serve";
import { tokenCommands } from "./tokens";
import { userCommands } from "./users";

export interface Command {
  /** "serve", or two words such as "user add". */
  name: string;
  usage: string;
  summary: string;
  /** Returns the exit code. */
  run(args: string[]): Promise<number>;
}

export const commands: Command[] = [
  serveCommand,
  ...userCommands,
  ...projectCommands,
  ...tokenCommands,
  ...importCommands,
  ...rebuildCommands,
  ...agreementCommands,
  ...exportCommands,
  ...importAnnotationsCommands,
];
