/**
 * The deployment's Redis for what the servers share besides the rooms (the bus has its own connections):
 * today the sign-in and registration counters. Commands fail fast while Redis is unreachable (no offline
 * queue); their users fall back to this server's own state. Reconnects are ioredis's.
 */
import { Redis } from "ioredis";
import type { Logger } from "./log";

/**
 * How Gloss connects to Redis (here and in the room bus): a command while disconnected fails at once instead
 * of queueing in memory, and reconnects back off from 50 ms to 2 s.
 */
export const REDIS_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(2000, 50 * 2 ** Math.min(times, 6)),
} as const;

/** Resolves once `client` is connected, or after `ms` (a server starts without Redis rather than not at all). */
export function readyWithin(client: Redis, ms: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    }
    client.once("ready", done);
  });
}

export function sharedRedis(url: string, log: Logger): Redis {
  const client = new Redis(url, REDIS_OPTIONS);
  let down = false;
  client.on("error", (err: Error) => {
    if (!down) log.warn("redis: unreachable, counting in this server alone", { err: err.message });
    down = true;
  });
  client.on("ready", () => {
    down = false;
  });
  return client;
}
