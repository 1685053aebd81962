import type { Command } from "./commands";

export const agreementCommands: Command[] = [];
