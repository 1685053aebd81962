import type { Context } from "hono";

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/**
 * The client's address as the socket sees it. X-Forwarded-For is deliberately ignored: anyone can send
 * it, so trusting it would let a client pick its own rate-limit bucket.
 */
export function clientIp(c: Context): string {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}
