import type { Command } from "./commands";

export const importAnnotationsCommands: Command[] = [];
