/** Starts a benchmark server script in a child process (`node --expose-gc --import tsx`) and talks to it. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { BenchReply, BenchRequest, MemorySample } from "./ipc";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ChildServer<Ready> {
  ready: Ready;
  proc: ChildProcess;
  /** CPU time (user + system, µs) the child has used so far. */
  cpu(): Promise<number>;
  /** Memory after a forced GC. */
  memory(): Promise<MemorySample>;
  metrics<T>(): Promise<T>;
  /** Writes a heap snapshot of the child (after a GC) to `file`. */
  heapSnapshot(file: string): Promise<unknown>;
  /** Starts a CPU profile of the child; `stop` writes it to `file`. */
  profile(): Promise<{ stop(file: string): Promise<unknown> }>;
  stop(): Promise<void>;
  /** `kill -9`: no shutdown hook runs, nothing pending is flushed. */
  kill(): Promise<void>;
}

export async function startChild<Ready>(
  script: string,
  env: Record<string, string>,
): Promise<ChildServer<Ready>> {
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the servers.
  const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const args = ["--expose-gc", ...extra, "--import", "tsx", path.join(import.meta.dirname, script)];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).once("line", (line) => resolve(JSON.parse(line)));
    exited.then(() => reject(new Error(`${script} exited before it was ready`)));
  });
  let seq = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  proc.on("message", (raw) => {
    const reply = raw as BenchReply;
    waiting.get(reply.id)?.(reply.value);
    waiting.delete(reply.id);
  });
  const ask = <T>(type: BenchRequest["type"], file?: string) =>
    new Promise<T>((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve as (v: unknown) => void);
      proc.send({ id, type, file } satisfies BenchRequest);
    });
  return {
    ready,
    proc,
    cpu: () => ask<number>("cpu"),
    memory: () => ask<MemorySample>("mem"),
    metrics: <T>() => ask<T>("metrics"),
    heapSnapshot: (file: string) => ask("heap-snapshot", file),
    async profile() {
      await ask("profile-start");
      return { stop: (file: string) => ask("profile-stop", file) };
    },
    async stop() {
      proc.kill("SIGTERM");
      await exited;
    },
    async kill() {
      proc.kill("SIGKILL");
      await exited;
    },
  };
}
