/**
 * Parent ↔ child-server messages for the benchmarks: each server runs in its own process, so its CPU and
 * memory can be measured on their own (`process.cpuUsage()` / `process.memoryUsage()` after a forced GC).
 */
export type BenchRequest = {
  id: number;
  type: "cpu" | "mem" | "metrics" | "profile-start" | "profile-stop" | "heap-snapshot";
  file?: string;
};
export type BenchReply = { id: number; value: unknown };

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
}

let session: import("node:inspector/promises").Session | null = null;

/** CPU profile of a window of the child's life (BENCH_PROFILE_DIR), written as a .cpuprofile file. */
async function profile(req: BenchRequest): Promise<unknown> {
  const { Session } = await import("node:inspector/promises");
  if (req.type === "profile-start") {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
    return true;
  }
  if (!session) return false;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  session = null;
  const fs = await import("node:fs");
  fs.writeFileSync(req.file!, JSON.stringify(profile));
  return req.file;
}

/** In a child: answers the parent's requests (`metrics` from `extra`). */
export function serveBenchRequests(extra: () => unknown = () => null): void {
  process.on("message", async (raw) => {
    const req = raw as BenchRequest;
    let value: unknown;
    if (req.type === "profile-start" || req.type === "profile-stop") {
      value = await profile(req);
    } else if (req.type === "heap-snapshot") {
      const v8 = await import("node:v8");
      (globalThis as { gc?: () => void }).gc?.();
      value = v8.writeHeapSnapshot(req.file);
    } else if (req.type === "cpu") {
      const u = process.cpuUsage();
      value = u.user + u.system;
    } else if (req.type === "mem") {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      value = { rss: m.rss, heapUsed: m.heapUsed, external: m.external } satisfies MemorySample;
    } else value = extra();
    process.send?.({ id: req.id, value } satisfies BenchReply);
  });
  // The parent going away ends the child (no orphaned servers).
  process.on("disconnect", () => process.exit(0));
}
