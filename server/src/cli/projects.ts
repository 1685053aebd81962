import type { Command } from "./commands";

export const projectCommands: Command[] = [];
