/**
 * In-memory sliding-window limits on sign-in attempts, per account and per client IP (issue 2: "sign-in
 * attempts rate-limited per account and per IP"). State lives in the limiter object the auth router
 * creates, so every app instance (and every test server) has its own.
 */

/** Every sign-in limit in one place. */
export const LOGIN_RATE_LIMITS = {
  /** Failed attempts allowed per account (username, case-folded) within the window. */
  perAccount: { max: 10, windowMs: 15 * 60 * 1000 },
  /** Failed attempts allowed per client IP within the window. */
  perIp: { max: 100, windowMs: 15 * 60 * 1000 },
  /** Keys kept per limiter before the oldest are dropped: bounds memory under a spray of usernames. */
  maxKeys: 50_000,
} as const;

/**
 * Accounts created per client IP within the window: each registration costs a password hash (~75 ms of
 * CPU), so an open sign-up page must not be a way to keep the server busy.
 */
export const REGISTRATION_RATE_LIMIT = { max: 30, windowMs: 60 * 60 * 1000 } as const;

export interface WindowLimit {
  max: number;
  windowMs: number;
}

/** A sliding-window counter per key: timestamps of the hits still inside the window. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: WindowLimit,
    private readonly maxKeys: number = LOGIN_RATE_LIMITS.maxKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it is under the limit. */
  retryAfterMs(key: string): number {
    const list = this.live(key);
    if (list.length < this.limit.max) return 0;
    // the oldest hit that must leave the window before one more is allowed
    const oldest = list[list.length - this.limit.max]!;
    return Math.max(1, oldest + this.limit.windowMs - this.now());
  }

  /** Records one hit; returns its timestamp (a handle for `release`). */
  hit(key: string): number {
    const at = this.now();
    const list = this.live(key);
    list.push(at);
    // re-insert so Map order is least-recently-hit first, which is what eviction drops
    this.hits.delete(key);
    this.hits.set(key, list);
    if (this.hits.size > this.maxKeys) this.evict();
    return at;
  }

  /** Takes back one hit (a reserved attempt that turned out to succeed). */
  release(key: string, at: number): void {
    const list = this.hits.get(key);
    if (!list) return;
    const i = list.lastIndexOf(at);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.hits.delete(key);
  }

  /** Forgets a key entirely (e.g. an account after a successful sign-in). */
  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Number of keys tracked (for tests and health figures). */
  get size(): number {
    return this.hits.size;
  }

  private live(key: string): number[] {
    const list = this.hits.get(key);
    if (!list) return [];
    const cutoff = this.now() - this.limit.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]! <= cutoff) drop++;
    if (drop) list.splice(0, drop);
    if (list.length === 0) this.hits.delete(key);
    return list;
  }

  private evict(): void {
    const cutoff = this.now() - this.limit.windowMs;
    for (const [key, list] of this.hits) {
      if ((list[list.length - 1] ?? 0) <= cutoff) this.hits.delete(key);
    }
    // still too many live keys: drop the least recently hit ones
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

/**
 * The per-IP bucket of a socket address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix,
 * since one host usually holds a whole /64 and could otherwise rotate through addresses.
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

export interface LoginAttempt {
  /** Reports the outcome; a success frees the reserved slot and clears the account's failures. */
  settle(success: boolean): void;
}

/** Sign-in limiter over both keys: an attempt is refused when either the account or the IP is over its limit. */
export class LoginRateLimiter {
  private readonly accounts: SlidingWindowLimiter;
  private readonly ips: SlidingWindowLimiter;

  constructor(
    limits: Pick<typeof LOGIN_RATE_LIMITS, "perAccount" | "perIp" | "maxKeys"> = LOGIN_RATE_LIMITS,
  ) {
    this.accounts = new SlidingWindowLimiter(limits.perAccount, limits.maxKeys);
    this.ips = new SlidingWindowLimiter(limits.perIp, limits.maxKeys);
  }

  /**
   * Reserves an attempt before the (slow) password check, so concurrent guesses cannot overshoot the
   * limit; returns `{ retryAfterMs }` when refused.
   */
  begin(username: string, address: string): LoginAttempt | { retryAfterMs: number } {
    const account = username.toLowerCase();
    const ip = ipBucket(address);
    const wait = Math.max(this.accounts.retryAfterMs(account), this.ips.retryAfterMs(ip));
    if (wait > 0) return { retryAfterMs: wait };
    this.accounts.hit(account);
    const i = this.ips.hit(ip);
    return {
      settle: (success) => {
        if (!success) return;
        this.ips.release(ip, i);
        this.accounts.reset(account);
      },
    };
  }
}
