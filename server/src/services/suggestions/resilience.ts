/**
 * Calling a service that may be slow or down (issue 14: external recommenders) without letting it slow the
 * editor: retries with exponential backoff, a concurrency limit, a circuit breaker. No such package is a
 * dependency of the server, and each of these is a few lines.
 */

/** A failure worth another attempt (network error, timeout, 5xx, 429); anything else is final. */
export class RetryableError extends Error {
  override name = "RetryableError";
}

export interface RetryOptions {
  /** Further attempts after the first. */
  retries: number;
  /** Delay before the first retry; doubled each time, with ±50% jitter, capped by `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, fails with something not retryable, or the retries are spent. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? defaultSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryableError) || n >= opts.retries) throw err;
      const delay = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** n);
      await sleep(delay * (0.5 + Math.random()));
    }
  }
}

/** At most `limit` tasks at once; the others wait in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get running(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Thrown instead of calling while the circuit is open. */
export class CircuitOpenError extends Error {
  override name = "CircuitOpenError";
  constructor(readonly retryAt: number) {
    super("the backend failed repeatedly: not called until it has rested");
  }
}

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before one trial call (half-open). */
  cooldownMs: number;
  now?: () => number;
}

/**
 * Closed: calls pass, consecutive failures are counted. Open (after `failureThreshold` of them): calls are
 * refused at once until `cooldownMs` has passed. Half-open: one trial call; its success closes the circuit,
 * its failure opens it again for another cooldown.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trial = false;

  constructor(private readonly opts: BreakerOptions) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  get state(): "closed" | "open" | "half-open" {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.opts.cooldownMs ? "half-open" : "open";
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === "open" || (state === "half-open" && this.trial))
      throw new CircuitOpenError((this.openedAt ?? this.now()) + this.opts.cooldownMs);
    if (state === "half-open") this.trial = true;
    try {
      const value = await call();
      this.failures = 0;
      this.openedAt = null;
      return value;
    } catch (err) {
      this.failures++;
      if (state === "half-open" || this.failures >= this.opts.failureThreshold) this.openedAt = this.now();
      throw err;
    } finally {
      if (state === "half-open") this.trial = false;
    }
  }
}
