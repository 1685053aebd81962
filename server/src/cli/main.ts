#!/usr/bin/env node
/**
 * `pnpm gloss <command>`: runs the Gloss command line (the commander program of ./program).
 * `pnpm gloss help` (or `--help` after any command) prints the generated help.
 * Exit codes: 0 done, 1 the work failed, 2 the command line is wrong (see ./common).
 */
import type { Command } from "commander";
import { reportError } from "./common";
import { createProgram } from "./program";

// pnpm runs package scripts from the package folder (server/); paths the user typed (files, GLOSS_DATA_DIR=./data)
// are relative to where they ran `pnpm gloss`/`pnpm start`, which pnpm passes as INIT_CWD.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

// `pnpm gloss export … | head` closes stdout early: that is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  // the command whose action runs, for the messages of its failures
  let active: Command = program;
  program.hook("preAction", (_program, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync(argv.length ? argv : ["help"], { from: "user" });
    return 0;
  } catch (err) {
    return reportError(err, active);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
