import { isIP } from "node:net";
import type { Context } from "hono";

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/**
 * The client's address. By default the socket's remote address: X-Forwarded-For is ignored, since anyone
 * can send it and trusting it would let a client pick its own rate-limit bucket. With `trustProxy` hops
 * (GLOSS_TRUST_PROXY) the address is read from X-Forwarded-For: the hop that many places left of the
 * socket's address (each trusted proxy appends the address it got the request from), or the left-most
 * address when every hop is trusted. A malformed entry falls back to the socket's address.
 */
export function clientIp(c: Context, trustProxy: number): string {
  const env = c.env as NodeBindings | undefined;
  const socket = env?.incoming?.socket?.remoteAddress ?? "unknown";
  if (trustProxy <= 0) return socket;
  const forwarded = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (forwarded.length === 0) return socket;
  // the chain as the last proxy saw it: client, proxy 1, …, then the peer of our socket
  const chain = [...forwarded, socket];
  const hop = chain[Math.max(0, chain.length - 1 - trustProxy)]!;
  const address = stripPort(hop);
  return isIP(address) ? address : socket;
}

/** `1.2.3.4:5678` → `1.2.3.4`, `[::1]:80` → `::1` (some proxies forward a port). */
function stripPort(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
  return v4 ? v4[1]! : hop;
}

/**
 * The rate-limit bucket of an address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix, since
 * one host usually holds a whole /64 and could otherwise rotate through addresses.
 */
export function ipBucket(address: string): string {
  const a = address.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(":")) return a;
  const [head = "", tail] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups =
    tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
