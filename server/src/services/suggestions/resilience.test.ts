import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, RetryableError, Semaphore, withRetries } from "./resilience";

describe("withRetries", () => {
  it("retries retryable failures with growing delays, and gives up after `retries`", async () => {
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
    };
    let n = 0;
    const value = await withRetries(
      async () => {
        if (++n < 3) throw new RetryableError("503");
        return "ok";
      },
      { retries: 3, baseDelayMs: 100, maxDelayMs: 1000, sleep },
    );
    expect(value).toBe("ok");
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(150);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(300);
    await expect(
      withRetries(
        async () => {
          throw new RetryableError("down");
        },
        { retries: 2, baseDelayMs: 1, maxDelayMs: 1, sleep },
      ),
    ).rejects.toThrow("down");
  });

  it("does not retry a final failure", async () => {
    let n = 0;
    await expect(
      withRetries(
        async () => {
          n++;
          throw new Error("bad answer");
        },
        { retries: 5, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toThrow("bad answer");
    expect(n).toBe(1);
  });
});

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once, the rest in order", async () => {
    const sem = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) =>
      sem.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        active--;
      });
    await Promise.all([0, 1, 2, 3, 4].map(task));
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([2, 3, 4]);
    expect(sem.running).toBe(0);
  });
});

describe("CircuitBreaker", () => {
  it("opens after consecutive failures, refuses while open, lets one trial through after the cooldown", async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000, now: () => now });
    const fail = () =>
      breaker.run(async () => {
        throw new Error("down");
      });
    let calls = 0;
    const succeed = () => breaker.run(async () => ++calls);
    await expect(fail()).rejects.toThrow("down");
    await succeed(); // a success resets the count
    await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("closed");
    await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    await expect(succeed()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(1);
    now = 1000;
    expect(breaker.state).toBe("half-open");
    // the trial fails: open again for another cooldown
    await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    now = 2000;
    await succeed();
    expect(breaker.state).toBe("closed");
    expect(calls).toBe(2);
  });
});
