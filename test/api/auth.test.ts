/**
 * Accounts and sessions: register (first account is admin, sign-up can be closed), sign in/out, me,
 * cookie flags, CSRF, the registration limit, secrets kept out of the log, admin account management and
 * the `gloss user add` CLI.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { THROTTLE_RULES } from "@gloss/server/auth/rateLimit";
import { createUser } from "@gloss/server/services/users";
import type { ApiErrorBody, CreatedUserDto, UserDto } from "@gloss/shared";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  createToken,
  DEFAULT_PASSWORD,
  loginUser,
  registerUser,
  runCli,
  tokenClient,
  uniqueName,
  useServer,
} from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { rows } from "../helpers/query";
import { startServer } from "../helpers/server";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("register", () => {
  const ctx = useServer();

  it("creates the account, signs it in, and makes only the first account an admin", async () => {
    const first = await registerUser(ctx.server.url, { displayName: "First Person" });
    expect(first.user).toMatchObject({
      username: first.username,
      displayName: "First Person",
      isAdmin: true,
    });
    expect(await first.client.get<UserDto>("/api/auth/me")).toEqual(first.user);

    const second = await registerUser(ctx.server.url);
    expect(second.user.isAdmin).toBe(false);
    expect(second.user.displayName).toBe(second.username);
    expect(await second.client.get<UserDto>("/api/auth/me")).toEqual(second.user);
    const stored = await rows(ctx.server.store, ({ q, t: { users } }) =>
      q.select().from(users).orderBy(users.id),
    );
    expect(stored.map((r) => [r.username, r.isAdmin])).toEqual([
      [first.username, true],
      [second.username, false],
    ]);
    // only a scrypt hash is stored
    expect(
      stored.every((r) => r.passwordHash.startsWith("scrypt$") && !r.passwordHash.includes(DEFAULT_PASSWORD)),
    ).toBe(true);
  });

  it("refuses a taken username, also when it differs only by case (409)", async () => {
    const a = await registerUser(ctx.server.url);
    for (const username of [a.username, a.username.toUpperCase()]) {
      const res = await new ApiClient(ctx.server.url).request("POST", "/api/auth/register", {
        username,
        password: DEFAULT_PASSWORD,
      });
      expect(res.status).toBe(409);
      expect(await errorOf(res)).toMatchObject({ code: "username_taken" });
    }
  });

  it("validates the body and names the field (400)", async () => {
    const client = new ApiClient(ctx.server.url);
    const cases: Array<[unknown, string]> = [
      [{ username: "ok_name", password: "short" }, "The password is shorter than 12 characters"],
      [
        { username: "bad name!", password: DEFAULT_PASSWORD },
        "The username must be letters, digits, '_', '.', '-' only",
      ],
      [{ password: DEFAULT_PASSWORD }, "The username is missing"],
    ];
    for (const [body, message] of cases) {
      const res = await client.request("POST", "/api/auth/register", body);
      expect(res.status).toBe(400);
      const err = await errorOf(res);
      expect(err.code).toBe("invalid_input");
      expect(err.message).toBe(message);
    }
    const broken = await client.request("POST", "/api/auth/register", "{not json", {
      "content-type": "application/json",
    });
    expect(broken.status).toBe(400);
    expect(await rows(ctx.server.store, (s) => s.q.select().from(s.t.users))).toHaveLength(0);
  });
});

describe("register with sign-up closed", () => {
  const ctx = useServer({ config: { allowSignup: false } });

  it("answers 403 signup_closed and stores nothing", async () => {
    const res = await new ApiClient(ctx.server.url).request("POST", "/api/auth/register", {
      username: uniqueName(),
      password: DEFAULT_PASSWORD,
    });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toMatchObject({ code: "signup_closed" });
    expect(await rows(ctx.server.store, (s) => s.q.select().from(s.t.users))).toHaveLength(0);
  });
});

describe("sign in, me, sign out", () => {
  const ctx = useServer();

  it("signs in with the right password and sets a session cookie with safe flags", async () => {
    const { username } = await registerUser(ctx.server.url);
    const client = new ApiClient(ctx.server.url);
    const res = await client.request("POST", "/api/auth/login", { username, password: DEFAULT_PASSWORD });
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserDto).username).toBe(username);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^gloss_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(Number(/Max-Age=(\d+)/.exec(cookie)?.[1])).toBeGreaterThan(24 * 3600);
    expect(cookie).not.toMatch(/Secure/); // testConfig: secureCookies false, plain http
    expect((await client.get<UserDto>("/api/auth/me")).username).toBe(username);
  });

  it("answers a wrong password and an unknown user with the same 401", async () => {
    const { username } = await registerUser(ctx.server.url);
    const client = new ApiClient(ctx.server.url);
    const wrong = await client.request("POST", "/api/auth/login", { username, password: "not the password" });
    const unknown = await client.request("POST", "/api/auth/login", {
      username: uniqueName("ghost"),
      password: DEFAULT_PASSWORD,
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await errorOf(wrong)).toEqual(await errorOf(unknown));
  });

  it("signs out: the session is deleted on the server and the cookie cleared", async () => {
    const { client, user } = await registerUser(ctx.server.url);
    const stolen = client.cookie!;
    const sessionsOf = (userId: number) =>
      rows(ctx.server.store, ({ q, t: { sessions } }) =>
        q.select().from(sessions).where(eq(sessions.userId, userId)),
      );
    expect(await sessionsOf(user.id)).toHaveLength(1);
    const res = await client.request("POST", "/api/auth/logout");
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^gloss_session=;.*Max-Age=0/);
    expect(client.cookie).toBeNull();
    expect(await sessionsOf(user.id)).toHaveLength(0);
    // the old cookie value is worthless now
    const replay = new ApiClient(ctx.server.url);
    replay.cookie = stolen;
    expect((await replay.request("GET", "/api/auth/me")).status).toBe(401);
  });

  it("answers /auth/me with 401 when anonymous or with a made-up cookie", async () => {
    const client = new ApiClient(ctx.server.url);
    const res = await client.request("GET", "/api/auth/me");
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatchObject({ code: "unauthorized" });
    client.cookie = "gloss_session=forged";
    expect((await client.request("GET", "/api/auth/me")).status).toBe(401);
  });
});

describe("secure cookies", () => {
  it("marks the cookie Secure when configured so", async () => {
    const server = await startServer({ config: { secureCookies: true } });
    try {
      const res = await new ApiClient(server.url).request("POST", "/api/auth/register", {
        username: uniqueName(),
        password: DEFAULT_PASSWORD,
      });
      expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    } finally {
      await server.close();
    }
  });

  it("leaves Secure off for plain http when not configured (secureCookies null)", async () => {
    const server = await startServer({ config: { secureCookies: null } });
    try {
      const res = await new ApiClient(server.url).request("POST", "/api/auth/register", {
        username: uniqueName(),
        password: DEFAULT_PASSWORD,
      });
      expect(res.status).toBe(201);
      expect(res.headers.get("set-cookie")).not.toMatch(/Secure/);
    } finally {
      await server.close();
    }
  });
});

describe("CSRF: cookie-authenticated writes must come from our origin", () => {
  const ctx = useServer();

  it("refuses a cookie POST from a foreign Origin or with no Origin; a bearer token needs none", async () => {
    const { client } = await registerUser(ctx.server.url);
    const foreign = await client.request(
      "POST",
      "/api/projects",
      { name: "evil" },
      { origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    expect(await errorOf(foreign)).toMatchObject({ code: "bad_origin" });
    const noOrigin = await fetch(`${ctx.server.url}/api/projects`, {
      method: "POST",
      headers: { cookie: client.cookie!, "content-type": "application/json" },
      body: JSON.stringify({ name: "evil" }),
    });
    expect(noOrigin.status).toBe(403);
    expect((await client.get<{ projects: unknown[] }>("/api/projects")).projects).toHaveLength(0);

    const { token } = await createToken(client);
    const script = tokenClient(ctx.server.url, token);
    const res = await fetch(`${ctx.server.url}/api/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "scripted" }),
    });
    expect(res.status).toBe(201);
    expect(
      (await script.get<{ projects: Array<{ name: string }> }>("/api/projects")).projects.map((p) => p.name),
    ).toEqual(["scripted"]);
  });

  it("refuses a sign-in posted from a foreign origin (login CSRF)", async () => {
    const { username } = await registerUser(ctx.server.url);
    const res = await new ApiClient(ctx.server.url).request(
      "POST",
      "/api/auth/login",
      { username, password: DEFAULT_PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});

// sign-in throttling and trusted proxy headers: test/api/throttle.test.ts

describe("password rule (issue 17)", () => {
  const ctx = useServer({ config: { throttle: { registrationTaken: { points: 2, windowSec: 3600 } } } });
  const register = (username: string, password: string) =>
    new ApiClient(ctx.server.url).request("POST", "/api/auth/register", { username, password });

  it("at least 12 characters, not only whitespace, not a common password (any case, any spacing)", async () => {
    const refused: Array<[string, string]> = [
      ["elevenchars", "invalid_input"],
      [" ".repeat(16), "invalid_input"],
      ["\t\n".repeat(8), "invalid_input"],
      ["password1234", "weak_password"],
      ["Password 1234", "weak_password"],
      ["QWERTYUIOP123", "weak_password"],
    ];
    for (const [password, code] of refused) {
      const res = await register(uniqueName("pw"), password);
      expect(res.status, JSON.stringify(password)).toBe(400);
      const err = await errorOf(res);
      expect(err.code, JSON.stringify(password)).toBe(code);
      expect(err.message).toMatch(/password|12 characters|whitespace/i);
    }
    expect(await rows(ctx.server.store, (s) => s.q.select().from(s.t.users))).toHaveLength(0);
    // the first account (the admin), with a password of exactly 12 characters
    const { client: admin, user } = await registerUser(ctx.server.url, { password: "twelve chars" });
    expect(user.isAdmin).toBe(true);
    // an admin creating an account is held to the same rule
    const weak = await admin.request("POST", "/api/users", {
      username: uniqueName("pw"),
      password: "password1234",
    });
    expect(weak.status).toBe(400);
    expect((await errorOf(weak)).code).toBe("weak_password");
  });

  it("a taken name is told apart only with an acceptable password, and only a few times per address", async () => {
    const { username } = await registerUser(ctx.server.url);
    const free = uniqueName("free");
    // with a password the rule refuses, a taken name and a free one get the same answer
    for (const name of [username, free]) {
      const res = await register(name, "password1234");
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("weak_password");
    }
    // sign-up must say a name is taken, but not without limit (registrationTaken: 2 here)
    for (let i = 0; i < 2; i++) expect((await register(username, DEFAULT_PASSWORD)).status).toBe(409);
    const limited = await register(username.toUpperCase(), DEFAULT_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(limited)).toMatchObject({ code: "rate_limited" });
  });
});

describe("registration rate limit", { timeout: 120_000 }, () => {
  const ctx = useServer();

  it("refuses more than THROTTLE_RULES.registration.points new accounts per IP within the window (429 + Retry-After)", async () => {
    const register = () =>
      new ApiClient(ctx.server.url).request("POST", "/api/auth/register", {
        username: uniqueName("reg"),
        password: DEFAULT_PASSWORD,
      });
    for (let i = 0; i < THROTTLE_RULES.registration.points; i++) expect((await register()).status).toBe(201);
    const refused = await register();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(refused)).toMatchObject({ code: "rate_limited" });
  });
});

describe("secrets never reach the log", () => {
  it("logs sign-in events without passwords, tokens or session cookies, even at debug level", async () => {
    const server = await startServer({ config: { logLevel: "debug" } });
    const lines: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }) as typeof process.stderr.write;
    try {
      const password = "Sup3r-Secret-Passphrase!";
      const { client, username } = await registerUser(server.url, { password });
      await new ApiClient(server.url).request("POST", "/api/auth/login", {
        username,
        password: "Wr0ng-Secret-Guess!",
      });
      const session = await loginUser(server.url, username, password);
      const { token } = await createToken(session);
      await tokenClient(server.url, token).get("/api/auth/me");
      await client.request("POST", "/api/projects", { name: "p" }, { origin: "https://evil.example" });
      const log = lines.join("");
      // the capture works: the events are there
      expect(log).toMatch(/user registered/);
      expect(log).toMatch(/sign-in failed/);
      expect(log).toMatch(/api token created/);
      for (const secret of [
        password,
        "Wr0ng-Secret-Guess!",
        token,
        token.slice(6),
        client.cookie!.split("=")[1]!,
        session.cookie!.split("=")[1]!,
      ]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      process.stderr.write = original;
      await server.close();
    }
  });
});

describe("account administration (/users)", () => {
  const ctx = useServer({ config: { allowSignup: false } });

  it("lets an admin list and create accounts; others get 403, anonymous 401", async () => {
    // with sign-up closed, the first admin comes from the CLI (the same service underneath)
    const adminRow = await createUser(ctx.server.store, {
      username: uniqueName("root"),
      password: DEFAULT_PASSWORD,
    });
    expect(adminRow.isAdmin).toBe(true);
    const admin = await loginUser(ctx.server.url, adminRow.username);

    const created = await admin.json<CreatedUserDto>(
      "POST",
      "/api/users",
      { username: "chosen_pw", password: "another password", displayName: "Chosen" },
      201,
    );
    expect(created).toMatchObject({ username: "chosen_pw", displayName: "Chosen", isAdmin: false });
    expect(created.password).toBeUndefined();
    const generated = await admin.json<CreatedUserDto>(
      "POST",
      "/api/users",
      { username: "gen_pw", isAdmin: true },
      201,
    );
    expect(generated.isAdmin).toBe(true);
    expect(generated.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await loginUser(ctx.server.url, "chosen_pw", "another password");
    const genClient = await loginUser(ctx.server.url, "gen_pw", generated.password!);
    expect((await genClient.get<UserDto>("/api/auth/me")).isAdmin).toBe(true);

    const dup = await admin.request("POST", "/api/users", {
      username: "chosen_pw",
      password: DEFAULT_PASSWORD,
    });
    expect(dup.status).toBe(409);

    const list = await admin.get<{ users: UserDto[] }>("/api/users");
    expect(list.users.map((u) => u.username).sort()).toEqual(
      [adminRow.username, "chosen_pw", "gen_pw"].sort(),
    );
    expect(JSON.stringify(list)).not.toMatch(/scrypt|password/i);

    const plain = await loginUser(ctx.server.url, "chosen_pw", "another password");
    expect((await plain.request("GET", "/api/users")).status).toBe(403);
    expect(
      (await plain.request("POST", "/api/users", { username: "x_y", password: DEFAULT_PASSWORD })).status,
    ).toBe(403);
    expect((await new ApiClient(ctx.server.url).request("GET", "/api/users")).status).toBe(401);
    const actions = (await rows(ctx.server.store, (s) => s.q.select().from(s.t.auditLog))).map(
      (a) => a.action,
    );
    expect(actions.filter((a) => a === "user.create")).toHaveLength(3);
  });
});

// each CLI run starts a fresh Node + tsx process (1–3 s on a busy machine)
const CLI_TIMEOUT = { timeout: 120_000 };

describe("CLI: gloss user add", () => {
  const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "gloss-cli-"));

  it(
    "creates accounts (first one admin), with a password from stdin or a generated one",
    CLI_TIMEOUT,
    async () => {
      const dataDir = tempDir();
      const first = await runCli(["user", "add", "alice", "--display-name", "Alice A"], { dataDir });
      expect(first.code).toBe(0);
      const generated = /Password \(shown once\): (\S+)/.exec(first.stdout)?.[1];
      expect(generated).toBeTruthy();
      const second = await runCli(["user", "add", "bob", "--password-stdin"], {
        dataDir,
        input: "bobs secret pass\n",
      });
      expect(second.code).toBe(0);
      expect(second.stdout).not.toMatch(/Password/);
      const third = await runCli(["user", "add", "carol", "--admin", "--password-stdin"], {
        dataDir,
        input: "carols secret pass",
      });
      expect(third.code).toBe(0);

      // a server on the same data directory (the same database) reads what the CLI wrote
      const server = await startServer({ dataDir });
      try {
        const stored = await rows(server.store, ({ q, t: { users } }) =>
          q.select().from(users).orderBy(users.id),
        );
        expect(stored.map((r) => [r.username, r.displayName, r.isAdmin])).toEqual([
          ["alice", "Alice A", true],
          ["bob", "bob", false],
          ["carol", "carol", true],
        ]);
        // the stored hashes are real: sign in through it
        await loginUser(server.url, "alice", generated!);
        await loginUser(server.url, "bob", "bobs secret pass");
        await loginUser(server.url, "carol", "carols secret pass");
      } finally {
        await server.close();
      }
    },
  );

  it("exits 2 with the usage on bad arguments and 1 on a taken username", CLI_TIMEOUT, async () => {
    const dataDir = tempDir();
    for (const args of [
      ["user", "add"],
      ["user", "add", "bad name!"],
      ["user", "add", "dave", "extra"],
      ["user", "add", "dave", "--bogus"],
    ]) {
      const r = await runCli(args, { dataDir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^error: .+\nusage: pnpm gloss user add/);
    }
    const short = await runCli(["user", "add", "dave", "--password-stdin"], { dataDir, input: "short\n" });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/password: at least 12 characters/);
    // the common-password list applies to the CLI too (createUser checks it for every caller)
    const common = await runCli(["user", "add", "dave", "--password-stdin"], {
      dataDir,
      input: "password1234\n",
    });
    expect(common.code).not.toBe(0);
    expect(common.stderr).toMatch(/most common passwords/);
    expect((await runCli(["user", "add", "dave"], { dataDir })).code).toBe(0);
    const dup = await runCli(["user", "add", "Dave"], { dataDir });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/taken/);
  });
});
