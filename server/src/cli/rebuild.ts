import type { Command } from "./commands";

export const rebuildCommands: Command[] = [];
