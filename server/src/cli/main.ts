#!/usr/bin/env node
/**
 * `pnpm gloss <command>`: the Gloss command line.
 * Commands register themselves in ./commands; `gloss help` lists them.
 */
import { commands } from "./commands";

// pnpm runs package scripts from the package folder (server/); paths the user typed (files, GLOSS_DATA_DIR=./data)
// are relative to where they ran `pnpm gloss`/`pnpm start`, which pnpm passes as INIT_CWD.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

// `pnpm gloss export … | head` closes stdout early: that is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

async function main(argv: string[]) {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write("Usage: pnpm gloss <command> [options]\n\nCommands:\n");
    for (const c of commands) process.stdout.write(`  ${c.usage}\n      ${c.summary}\n`);
    return 0;
  }
  // two-word commands: "user add", "project create", "token create"
  const cmd = commands.find((c) => c.name === `${name} ${rest[0]}`) ?? commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`Unknown command: ${name}. Try \`pnpm gloss help\`.\n`);
    return 2;
  }
  const args = cmd.name.includes(" ") ? rest.slice(1) : rest;
  return cmd.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === "number" && code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
