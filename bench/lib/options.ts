/**
 * The benchmarks' command lines: `--name value` options and `--name` flags, read with node's own
 * `util.parseArgs` (strict: an unknown option or a value that is not a number is an error naming it).
 */
import { parseArgs } from "node:util";

/** What a bench accepts: its number and string options with their defaults, and its flags. */
export function benchOptions<N extends string, S extends string = never, F extends string = never>(spec: {
  numbers: Record<N, number>;
  strings?: Record<S, string>;
  flags?: readonly F[];
}): Record<N, number> & Record<S, string> & Record<F, boolean> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const k of [...Object.keys(spec.numbers), ...Object.keys(spec.strings ?? {})])
    options[k] = { type: "string" };
  for (const k of spec.flags ?? []) options[k] = { type: "boolean" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const out: Record<string, number | string | boolean> = {};
  for (const [k, dflt] of Object.entries<number>(spec.numbers)) {
    const raw = values[k];
    const n = raw === undefined ? dflt : Number(raw);
    if (!Number.isFinite(n) || n < 0) {
      process.stderr.write(`--${k} takes a number ≥ 0 (got ${JSON.stringify(raw)})\n`);
      process.exit(2);
    }
    out[k] = n;
  }
  for (const [k, dflt] of Object.entries<string>(spec.strings ?? {})) out[k] = (values[k] as string) ?? dflt;
  for (const k of spec.flags ?? []) out[k] = values[k] === true;
  return out as Record<N, number> & Record<S, string> & Record<F, boolean>;
}
