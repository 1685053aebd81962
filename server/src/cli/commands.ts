import { serveCommand } from "./serve";

export interface Command {
  /** "serve", or two words such as "user add". */
  name: string;
  usage: string;
  summary: string;
  /** Returns the exit code. */
  run(args: string[]): Promise<number>;
}

export const commands: Command[] = [serveCommand];
