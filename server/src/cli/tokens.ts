import type { Command } from "./commands";

export const tokenCommands: Command[] = [];
