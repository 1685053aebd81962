/**
 * Sign-in throttling: per (account, IP) and per IP with exponential backoff, never per account alone, so
 * failures from an attacker's address cannot lock the account's owner out; X-Forwarded-For believed only
 * when GLOSS_TRUST_PROXY says so. Real servers on port 0, the real limiter, the real clock.
 */
import { type BackoffRule, BackoffThrottle, THROTTLE_RULES } from "@gloss/server/auth/rateLimit";
import { loadConfig } from "@gloss/server/env";
import { ipBucket } from "@gloss/server/routes/auth/clientIp";
import type { ApiErrorBody } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import { DEFAULT_PASSWORD, registerUser, uniqueName, useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One sign-in attempt from a fresh client, optionally claiming an address through X-Forwarded-For. */
const attempt = (url: string, username: string, password: string, forwardedFor?: string) =>
  new ApiClient(url).request(
    "POST",
    "/api/auth/login",
    { username, password },
    forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
  );

/** The default (account, IP) rule with a long first block, so a burst of attempts cannot outlast it. */
const longBlocks = { accountIp: { ...THROTTLE_RULES.accountIp, baseBlockSec: 60 } };

const ATTACKER = "10.0.0.9";
const HOME = "192.0.2.44";

describe("behind a trusted proxy", { timeout: 60_000 }, () => {
  const ctx = useServer({ config: { trustProxy: 1, throttle: longBlocks } });

  it("20 wrong passwords for ada from one address slow that address only: ada signs in from hers", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await attempt(ctx.server.url, "ada", `wrong guess ${i}`, ATTACKER);
      statuses.push(res.status);
      if (i === 5) {
        // the 6th attempt is refused: 429, Retry-After, the JSON error with the wait
        expect(res.status).toBe(429);
        const retryAfter = Number(res.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        const error = await errorOf(res);
        expect(error.code).toBe("rate_limited");
        expect(error.message).toMatch(new RegExp(`try again in ${retryAfter} s$`));
      }
    }
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    // the account part of the key is case-folded
    expect((await attempt(ctx.server.url, "ADA", "wrong", ATTACKER)).status).toBe(429);
    // even the right password is refused from the attacker's address…
    expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, ATTACKER)).status).toBe(429);
    // …but ada, from her own address, signs in
    const own = await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, HOME);
    expect(own.status).toBe(200);
    expect(own.headers.get("set-cookie")).toMatch(/^gloss_session=/);
    // and her success does not lift the attacker's block
    expect((await attempt(ctx.server.url, "ada", "one more guess", ATTACKER)).status).toBe(429);
  });

  it("counts concurrent guesses exactly: 20 at once from one address give 5 × 401 and 15 × 429", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    const res = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(ctx.server.url, "ada", `wrong-${i}`, ATTACKER)),
    );
    const counts: Record<number, number> = {};
    for (const r of res) counts[r.status] = (counts[r.status] ?? 0) + 1;
    expect(counts).toEqual({ 401: 5, 429: 15 });
    expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, HOME)).status).toBe(200);
  });

  it("with one trusted hop, takes the address that proxy appended, not a client-chosen left part", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    for (let i = 0; i < 5; i++) {
      const res = await attempt(ctx.server.url, "ada", "wrong", `203.0.113.${i}, ${ATTACKER}`);
      expect(res.status).toBe(401);
    }
    expect((await attempt(ctx.server.url, "ada", "wrong", `203.0.113.99, ${ATTACKER}`)).status).toBe(429);
  });
});

describe("trusting every hop (GLOSS_TRUST_PROXY=true)", () => {
  const ctx = useServer({ config: { trustProxy: Number.POSITIVE_INFINITY, throttle: longBlocks } });

  it("takes the left-most address", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    for (let i = 0; i < 5; i++) {
      const res = await attempt(ctx.server.url, "ada", "wrong", `${ATTACKER}, 10.1.0.${i}`);
      expect(res.status).toBe(401);
    }
    expect((await attempt(ctx.server.url, "ada", "wrong", `${ATTACKER}, 10.1.0.77`)).status).toBe(429);
    expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, `${HOME}, 10.1.0.1`)).status).toBe(200);
  });
});

describe("without GLOSS_TRUST_PROXY", () => {
  const ctx = useServer({ config: { throttle: longBlocks } });

  it("ignores X-Forwarded-For: a spoofed address gets no fresh budget", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    for (let i = 0; i < 5; i++) {
      const res = await attempt(ctx.server.url, "ada", "wrong", `10.0.0.${i + 1}`);
      expect(res.status).toBe(401);
    }
    const spoofed = await attempt(ctx.server.url, "ada", "wrong", "198.51.100.7");
    expect(spoofed.status).toBe(429);
    expect(Number(spoofed.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD)).status).toBe(429);
  });
});

describe("backoff on the real server (default rules)", { timeout: 30_000 }, () => {
  const ctx = useServer();

  it("after 5 failures blocks for 1 s, then lets one attempt through per block, doubling it", async () => {
    const { username } = await registerUser(ctx.server.url);
    for (let i = 0; i < 5; i++) expect((await attempt(ctx.server.url, username, "wrong")).status).toBe(401);
    const first = await attempt(ctx.server.url, username, "wrong");
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    await sleep(1100);
    expect((await attempt(ctx.server.url, username, "wrong")).status).toBe(401);
    const second = await attempt(ctx.server.url, username, "wrong");
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("2");
  });

  it("a success resets the (account, IP) counter", async () => {
    const { username } = await registerUser(ctx.server.url);
    for (let i = 0; i < 4; i++) expect((await attempt(ctx.server.url, username, "wrong")).status).toBe(401);
    expect((await attempt(ctx.server.url, username, DEFAULT_PASSWORD)).status).toBe(200);
    // the 4 earlier failures are forgotten: 5 more are let through before the block
    for (let i = 0; i < 5; i++) expect((await attempt(ctx.server.url, username, "wrong")).status).toBe(401);
    expect((await attempt(ctx.server.url, username, "wrong")).status).toBe(429);
  });
});

describe("per-IP budget", { timeout: 60_000 }, () => {
  const ctx = useServer({
    config: { trustProxy: 1, throttle: { ip: { ...THROTTLE_RULES.ip, freeFailures: 10 } } },
  });

  it("blocks an address that fails across many accounts, not the others", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    // one failure each for 10 accounts (known or not): no (account, IP) rule is near its limit
    for (let i = 0; i < 10; i++) {
      const res = await attempt(ctx.server.url, i === 0 ? "ada" : uniqueName("ghost"), "wrong", ATTACKER);
      expect(res.status).toBe(401);
    }
    const blocked = await attempt(ctx.server.url, uniqueName("ghost"), "wrong", ATTACKER);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBe(THROTTLE_RULES.ip.baseBlockSec);
    expect(await errorOf(blocked)).toMatchObject({ code: "rate_limited" });
    // the whole address is blocked, whatever the account or password
    expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, ATTACKER)).status).toBe(429);
    expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, HOME)).status).toBe(200);
  });

  it("gives a successful sign-in its attempt back", async () => {
    await registerUser(ctx.server.url, { username: "ada" });
    for (let i = 0; i < 9; i++)
      expect((await attempt(ctx.server.url, uniqueName("ghost"), "wrong", ATTACKER)).status).toBe(401);
    for (let i = 0; i < 3; i++)
      expect((await attempt(ctx.server.url, "ada", DEFAULT_PASSWORD, ATTACKER)).status).toBe(200);
    expect((await attempt(ctx.server.url, uniqueName("ghost"), "wrong", ATTACKER)).status).toBe(401);
    expect((await attempt(ctx.server.url, uniqueName("ghost"), "wrong", ATTACKER)).status).toBe(429);
  });
});

describe("BackoffThrottle (unit, real limiter, short durations)", () => {
  const rule: BackoffRule = {
    freeFailures: 2,
    windowSec: 60,
    baseBlockSec: 0.2,
    maxBlockSec: 0.5,
    levelMemorySec: 60,
  };
  const admitted = async (t: BackoffThrottle, key: string) => {
    const r = await t.begin(key);
    if ("retryAfterMs" in r) throw new Error(`refused for ${r.retryAfterMs} ms`);
    return r;
  };

  it("blocks after the free failures, doubling up to the cap; one attempt per block even when concurrent", async () => {
    const t = new BackoffThrottle("unit", rule);
    await t.fail(await admitted(t, "k"));
    await t.fail(await admitted(t, "k"));
    for (const [i, expected] of [200, 400, 500, 500].entries()) {
      const refused = await t.begin("k");
      expect(refused).toHaveProperty("retryAfterMs");
      const ms = (refused as { retryAfterMs: number }).retryAfterMs;
      expect(ms).toBeGreaterThan(expected - 100);
      expect(ms).toBeLessThanOrEqual(expected);
      // other keys are not affected
      expect(await t.begin(`other-${i}`)).not.toHaveProperty("retryAfterMs");
      await sleep(expected + 50);
      const [a, b] = await Promise.all([t.begin("k"), t.begin("k")]);
      expect([a, b].filter((r) => "retryAfterMs" in r)).toHaveLength(1);
      const winner = ("retryAfterMs" in a ? b : a) as Awaited<ReturnType<typeof admitted>>;
      await t.fail(winner);
    }
  });

  it("reset forgets failures and level", async () => {
    const t = new BackoffThrottle("unit", rule);
    await t.fail(await admitted(t, "k"));
    await t.fail(await admitted(t, "k"));
    expect(await t.begin("k")).toHaveProperty("retryAfterMs");
    await t.reset("k");
    await t.fail(await admitted(t, "k"));
    await admitted(t, "k");
  });

  it("default rules: 1 s, 2 s, 4 s … capped at 15 min", () => {
    const t = new BackoffThrottle("unit", THROTTLE_RULES.accountIp);
    expect([1, 2, 3, 4, 10, 11, 12, 100].map((l) => t.blockSec(l))).toEqual([1, 2, 4, 8, 512, 900, 900, 900]);
  });
});

describe("GLOSS_TRUST_PROXY", () => {
  it("defaults to off; true trusts every hop; a number counts hops; anything else is refused", () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ GLOSS_TRUST_PROXY: "false" }).trustProxy).toBe(0);
    expect(loadConfig({ GLOSS_TRUST_PROXY: "true" }).trustProxy).toBe(Number.POSITIVE_INFINITY);
    expect(loadConfig({ GLOSS_TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ GLOSS_TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(() => loadConfig({ GLOSS_TRUST_PROXY: "maybe" })).toThrow(/GLOSS_TRUST_PROXY/);
  });
});

describe("ipBucket", () => {
  it("buckets IPv6 clients by /64 and IPv4-mapped addresses as IPv4", () => {
    expect(ipBucket("127.0.0.1")).toBe("127.0.0.1");
    expect(ipBucket("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(ipBucket("2001:db8:abcd:12:1:2:3:4")).toBe(ipBucket("2001:db8:abcd:12::9"));
    expect(ipBucket("2001:db8:abcd:12::1")).not.toBe(ipBucket("2001:db8:abcd:13::1"));
    expect(ipBucket("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});
