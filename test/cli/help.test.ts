/**
 * The generated help: every command and subcommand of the program documents each of its arguments and
 * options, and `--help` prints to stdout with exit code 0, as `pnpm gloss help <command>` does (`pnpm gloss user help add` for a subcommand).
 */
import os from "node:os";
import { createProgram } from "@gloss/server/cli/program";

import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/factories";

/** commander's Command, as the program exposes it (commander is the server's dependency, not this package's). */
type Command = ReturnType<typeof createProgram>;

function allCommands(cmd: Command, path: string[] = []): Array<[string[], Command]> {
  return [[path, cmd], ...cmd.commands.flatMap((c) => allCommands(c, [...path, c.name()]))];
}

/** What the README, the docs and the tests call: these names and options must stay. */
const EXPECTED: Record<string, string[]> = {
  serve: [],
  "user add": ["<username>", "--admin", "--display-name <name>", "--password-stdin"],
  "project create": ["<name>", "--owner <username>", "--mode <mode>", "--labels <a,b,...>"],
  "token create": ["<username>", "--name <name>", '(default: "cli")'],
  import: ["<projectId>", "<paths...>", "--as <username>"],
  "rebuild-projection": ["--project <id>"],
  agreement: [
    "<projectId>",
    "--json",
    "--labels <a,b>",
    "--annotators <3,5>",
    "--layers <user-3,gold>",
    "--documents <1,2>",
    "--min-iou <x>",
  ],
  export: [
    "<projectId>",
    "--format <format>",
    "--layer <layer>",
    "--out <file|dir/|->",
    "--documents <1,2,3>",
    "--labels <claim,denial>",
    "--status <todo,in_progress,done>",
    "--include-uncurated [true|false]",
    "--offsets <unit>",
    "--raw-csv",
    "--split <0.8,0.1,0.1>",
    "--seed <n>",
    "--granularity <unit>",
    "--overlap <policy>",
  ],
  "import-annotations": [
    "<projectId>",
    "<file>",
    "--format <format>",
    "--layer <layer>",
    "--create-labels",
    "--offsets <unit>",
    "--as <username>",
  ],
};

/** Help opens no database: any folder will do. */
const run = (args: string[]) => runCli(args, { dataDir: os.tmpdir() });

describe("gloss --help", () => {
  const commands = allCommands(createProgram());
  const runnable = commands.filter(([, c]) => c.commands.length === 0);

  it("has exactly the expected commands", () => {
    expect(runnable.map(([p]) => p.join(" ")).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [names, cmd] of commands) {
    const name = names.join(" ") || "(the program)";
    it(`${name}: the help lists every argument and option`, () => {
      const help = cmd.helpInformation();
      expect(help).toContain(`Usage: pnpm gloss ${names.length ? `${names.join(" ")} ` : ""}`);
      for (const arg of cmd.registeredArguments) expect(help).toContain(arg.name());
      for (const opt of cmd.options) {
        expect(help).toContain(opt.flags);
        expect(opt.description, `${name} ${opt.flags}`).toBeTruthy();
      }
      for (const sub of cmd.commands) expect(help).toContain(sub.name());
      for (const want of EXPECTED[names.join(" ")] ?? []) expect(help).toContain(want);
    });
  }

  it("prints to stdout with exit code 0, for the program and for a subcommand", {
    timeout: 120_000,
  }, async () => {
    const [top, exportHelp, helpCommand] = await Promise.all([
      run(["--help"]),
      run(["export", "--help"]),
      run(["user", "help", "add"]),
    ]);
    for (const r of [top, exportHelp, helpCommand]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    }
    for (const cmd of ["serve", "user", "project", "token", "import", "agreement", "export"]) {
      expect(top.stdout).toMatch(new RegExp(`^ {2}${cmd} `, "m"));
    }
    expect(exportHelp.stdout).toContain("--include-uncurated");
    expect(helpCommand.stdout).toContain("--password-stdin");
  });
});
