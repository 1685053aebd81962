import type { Command } from "./commands";

export const userCommands: Command[] = [];
