/**
 * Sign-in and registration throttling on `rate-limiter-flexible`.
 *
 * Sign-in is throttled per (account, client IP) and per client IP, never per account alone: failures
 * from an attacker's address slow that address down, but cannot lock the account's owner out from their
 * own. Each rule lets a number of failures through freely, then blocks with exponential backoff
 * (base, 2·base, 4·base … capped); while a key is in backoff, one attempt is let through per block.
 *
 * Every counter lives in a `RateLimiterAbstract` made by a `LimiterFactory`: `RateLimiterMemory` for one
 * process (the default), `redisLimiters` when the servers of a deployment share Redis (GLOSS_REDIS_URL).
 * Each auth router makes its own throttles, so every app instance (and every test server) has its own state.
 */
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";

/** One backoff rule. All durations in seconds (fractions are fine). */
export interface BackoffRule {
  /** Failures let through within `windowSec` before backoff starts. */
  freeFailures: number;
  windowSec: number;
  /** The first block; each further failure in backoff doubles it, up to `maxBlockSec`. */
  baseBlockSec: number;
  maxBlockSec: number;
  /** How long the backoff level is remembered after it was first raised; a success on the key forgets it sooner. */
  levelMemorySec: number;
}

/** A plain fixed-window limit. */
export interface WindowRule {
  points: number;
  windowSec: number;
}

export interface ThrottleRules {
  /** Failed sign-ins for one account from one IP; a successful sign-in resets it. */
  accountIp: BackoffRule;
  /** Failed sign-ins from one IP across all accounts; a success gives its own attempt back, nothing more. */
  ip: BackoffRule;
  /**
   * Accounts created per client IP: each registration costs a password hash (~75 ms of CPU), so an open
   * sign-up page must not be a way to keep the server busy.
   */
  registration: WindowRule;
  /**
   * Registrations per client IP refused because the name is taken: sign-up must say so, but an anonymous
   * caller may learn it only this often (issue 17); past it, every taken name is a 429 until the window ends.
   */
  registrationTaken: WindowRule;
}

const MINUTE = 60;

/** Every throttle rule in one place. */
export const THROTTLE_RULES: ThrottleRules = {
  accountIp: {
    freeFailures: 5,
    windowSec: 15 * MINUTE,
    baseBlockSec: 1,
    maxBlockSec: 15 * MINUTE,
    levelMemorySec: 24 * 60 * MINUTE,
  },
  ip: {
    freeFailures: 100,
    windowSec: 15 * MINUTE,
    baseBlockSec: MINUTE,
    maxBlockSec: 15 * MINUTE,
    levelMemorySec: 24 * 60 * MINUTE,
  },
  registration: { points: 30, windowSec: 60 * MINUTE },
  registrationTaken: { points: 10, windowSec: 60 * MINUTE },
};

/** Makes one counter store; the seam for a shared (Redis) store. */
export type LimiterFactory = (opts: {
  keyPrefix: string;
  points: number;
  duration: number;
}) => RateLimiterAbstract;

/** In-process counters (one server instance). */
export const memoryLimiters: LimiterFactory = (opts) => new RateLimiterMemory(opts);

/**
 * Counters shared by every server of a deployment, in Redis under `<prefix>:rl:` (several servers must not
 * multiply an attacker's attempts). While Redis is unreachable each server counts in memory on its own
 * (the insurance limiter) rather than let every attempt through or refuse every one.
 */
export const redisLimiters =
  (client: Redis, prefix: string): LimiterFactory =>
  (opts) =>
    new RateLimiterRedis({
      ...opts,
      storeClient: client,
      keyPrefix: `${prefix}:rl:${opts.keyPrefix}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(opts),
    });

/** A refused attempt: how long until the key may try again. */
export interface Refusal {
  retryAfterMs: number;
}

/** The limiter's answer when a key is over its limit; any other rejection is a store failure and is rethrown. */
function refusal(e: unknown): Refusal {
  if (e instanceof RateLimiterRes) return { retryAfterMs: Math.max(1, e.msBeforeNext) };
  throw e;
}

/** An admitted attempt, reserved before the (slow) password check so concurrent guesses cannot overshoot. */
interface Reservation {
  key: string;
  cost: number;
  /** Backoff level when admitted (0: within the free failures). */
  level: number;
  /** Points used in the window, this attempt included. */
  used: number;
}

/** Free failures, then exponential blocks, for one kind of key. */
export class BackoffThrottle {
  /** Attempts in the current window; a block overwrites it for the block's duration. */
  private readonly attempts: RateLimiterAbstract;
  /** Blocks imposed so far (the backoff level). */
  private readonly levels: RateLimiterAbstract;

  constructor(
    name: string,
    private readonly rule: BackoffRule,
    make: LimiterFactory = memoryLimiters,
  ) {
    this.attempts = make({
      keyPrefix: `${name}:attempts`,
      points: rule.freeFailures,
      duration: rule.windowSec,
    });
    this.levels = make({
      keyPrefix: `${name}:level`,
      points: Number.MAX_SAFE_INTEGER,
      duration: rule.levelMemorySec,
    });
  }

  /**
   * Admits or refuses one attempt. Within the free failures an attempt costs one point; in backoff it
   * costs the whole window's points, so exactly one attempt gets through per expired block, also when
   * several arrive at once.
   */
  async begin(key: string): Promise<Reservation | Refusal> {
    const level = (await this.levels.get(key))?.consumedPoints ?? 0;
    const cost = level > 0 ? this.rule.freeFailures : 1;
    try {
      const res = await this.attempts.consume(key, cost);
      return { key, cost, level, used: res.consumedPoints };
    } catch (e) {
      const refused = refusal(e);
      // a refused attempt is not counted (the store counted it while refusing)
      await this.attempts.reward(key, cost);
      return refused;
    }
  }

  /** A failed attempt: once the free failures are used up, blocks the key for the next backoff step. */
  async fail(r: Reservation): Promise<void> {
    if (r.level === 0 && r.used < this.rule.freeFailures) return;
    const level = (await this.levels.penalty(r.key, 1)).consumedPoints;
    await this.attempts.block(r.key, this.blockSec(level));
  }

  /** Gives an admitted attempt back (it succeeded, or another rule refused it). */
  async refund(r: Reservation): Promise<void> {
    await this.attempts.reward(r.key, r.cost);
  }

  /** Forgets the key: its failures and its backoff level. */
  async reset(key: string): Promise<void> {
    await Promise.all([this.attempts.delete(key), this.levels.delete(key)]);
  }

  /** Seconds of the block at a backoff level (1-based). */
  blockSec(level: number): number {
    return Math.min(this.rule.baseBlockSec * 2 ** Math.min(level - 1, 60), this.rule.maxBlockSec);
  }
}

const isRefusal = (r: Reservation | Refusal): r is Refusal => "retryAfterMs" in r;

export interface LoginAttempt {
  /** Reports the outcome of the password check. */
  settle(success: boolean): Promise<void>;
}

/**
 * Sign-in throttle over both keys. `ip` is the client's rate-limit bucket (see `ipBucket`), the username
 * is case-folded. A success resets the (account, IP) key and gives the IP its attempt back; a failure
 * counts against both.
 */
export class LoginThrottle {
  private readonly accountIp: BackoffThrottle;
  private readonly ip: BackoffThrottle;

  constructor(
    rules: Pick<ThrottleRules, "accountIp" | "ip"> = THROTTLE_RULES,
    make: LimiterFactory = memoryLimiters,
  ) {
    this.accountIp = new BackoffThrottle("login:account-ip", rules.accountIp, make);
    this.ip = new BackoffThrottle("login:ip", rules.ip, make);
  }

  async begin(username: string, ip: string): Promise<LoginAttempt | Refusal> {
    // an IP bucket never contains "|", so the key is unambiguous whatever the username holds
    const pairKey = `${username.toLowerCase()}|${ip}`;
    const pair = await this.accountIp.begin(pairKey);
    if (isRefusal(pair)) return pair;
    const byIp = await this.ip.begin(ip);
    if (isRefusal(byIp)) {
      await this.accountIp.refund(pair);
      return byIp;
    }
    return {
      settle: async (success) => {
        if (success) await Promise.all([this.accountIp.reset(pairKey), this.ip.refund(byIp)]);
        else await Promise.all([this.accountIp.fail(pair), this.ip.fail(byIp)]);
      },
    };
  }
}

/** A fixed-window limit per key (registrations per IP). */
export class WindowThrottle {
  private readonly limiter: RateLimiterAbstract;

  constructor(name: string, rule: WindowRule, make: LimiterFactory = memoryLimiters) {
    this.limiter = make({ keyPrefix: name, points: rule.points, duration: rule.windowSec });
  }

  /** Takes one point; refused when the key has none left in its window. */
  async take(key: string): Promise<Refusal | null> {
    try {
      await this.limiter.consume(key, 1);
      return null;
    } catch (e) {
      return refusal(e);
    }
  }
}
