import type { Command } from "./commands";

export const importCommands: Command[] = [];
