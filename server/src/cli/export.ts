import type { Command } from "./commands";

export const exportCommands: Command[] = [];
