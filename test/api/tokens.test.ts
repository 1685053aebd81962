/** Personal API tokens: shown once, stored hashed, usable as Bearer, revocable, private to their owner; CLI `token create`. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MAX_TOKENS_PER_USER } from "@gloss/server/services/tokens";
import type { ApiErrorBody, CreatedTokenDto, TokenDto, UserDto } from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createToken, registerUser, runCli, tokenClient, useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { exec, row, rows } from "../helpers/query";
import { startServer } from "../helpers/server";

describe("/tokens", () => {
  const ctx = useServer();

  it("creates a token shown once, stores only its hash, and accepts it as a Bearer credential", async () => {
    const { client, user } = await registerUser(ctx.server.url);
    const created = await client.json<CreatedTokenDto>("POST", "/api/tokens", { name: "import script" }, 201);
    expect(created).toMatchObject({ name: "import script", lastUsedAt: null });
    expect(created.token).toMatch(/^gloss_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect(created.prefix.length).toBeLessThan(created.token.length / 2);

    const stored = (await row(ctx.server.store, (s) =>
      s.q.select().from(s.t.apiTokens).where(eq(s.t.apiTokens.id, created.id)),
    ))!;
    expect(
      Object.values(stored).some((v) => typeof v === "string" && v.includes(created.token.slice(12))),
    ).toBe(false);

    const listed = await client.get<{ tokens: TokenDto[] }>("/api/tokens");
    expect(listed.tokens).toEqual([
      {
        id: created.id,
        name: "import script",
        prefix: created.prefix,
        createdAt: created.createdAt,
        lastUsedAt: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const script = tokenClient(ctx.server.url, created.token);
    expect(await script.get<UserDto>("/api/auth/me")).toEqual(user);
    const after = await client.get<{ tokens: TokenDto[] }>("/api/tokens");
    expect(after.tokens[0]!.lastUsedAt).toEqual(expect.any(Number));
    expect(
      (await rows(ctx.server.store, (s) => s.q.select().from(s.t.auditLog))).map((a) => a.action),
    ).toContain("token.create");
  });

  it("revokes a token: 204, then it no longer authenticates and is no longer listed", async () => {
    const { client } = await registerUser(ctx.server.url);
    const keep = await createToken(client, "keep");
    const drop = await createToken(client, "drop");
    const res = await client.request("DELETE", `/api/tokens/${drop.id}`);
    expect(res.status).toBe(204);
    expect((await tokenClient(ctx.server.url, drop.token).request("GET", "/api/auth/me")).status).toBe(401);
    expect((await tokenClient(ctx.server.url, keep.token).request("GET", "/api/auth/me")).status).toBe(200);
    expect((await client.get<{ tokens: TokenDto[] }>("/api/tokens")).tokens.map((t) => t.name)).toEqual([
      "keep",
    ]);
    // a second revoke finds nothing
    expect((await client.request("DELETE", `/api/tokens/${drop.id}`)).status).toBe(404);
    // a token can revoke itself (a script that is done)
    const self = tokenClient(ctx.server.url, keep.token);
    expect((await self.request("DELETE", `/api/tokens/${keep.id}`)).status).toBe(204);
    expect((await self.request("GET", "/api/auth/me")).status).toBe(401);
  });

  it("keeps tokens private: someone else's token is 404 to list and revoke", async () => {
    const alice = await registerUser(ctx.server.url);
    const bob = await registerUser(ctx.server.url);
    const aliceToken = await createToken(alice.client);
    expect((await bob.client.get<{ tokens: TokenDto[] }>("/api/tokens")).tokens).toEqual([]);
    const res = await bob.client.request("DELETE", `/api/tokens/${aliceToken.id}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ApiErrorBody).error.code).toBe("not_found");
    expect((await tokenClient(ctx.server.url, aliceToken.token).request("GET", "/api/auth/me")).status).toBe(
      200,
    );
    expect((await alice.client.request("DELETE", "/api/tokens/999999")).status).toBe(404);
    for (const bad of ["abc", "0x1", "1e0"]) {
      const res = await alice.client.request("DELETE", `/api/tokens/${bad}`);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as ApiErrorBody;
      expect(error.code).toBe("invalid_input");
      expect(error.message).toMatch(/^id: /);
    }
  });

  it(`refuses a token past ${MAX_TOKENS_PER_USER} live ones (409, nothing written); revoking one frees a place`, async () => {
    const { client, user } = await registerUser(ctx.server.url);
    const first = await createToken(client, "first");
    await exec(ctx.server.store, (s) =>
      s.q.insert(s.t.apiTokens).values(
        Array.from({ length: MAX_TOKENS_PER_USER - 1 }, (_, i) => ({
          userId: user.id,
          name: `t${i}`,
          tokenHash: `hash-${user.id}-${i}`,
          prefix: "gloss_xxxxxx",
        })),
      ),
    );
    const audits = async () =>
      (
        await rows(ctx.server.store, (s) =>
          s.q
            .select()
            .from(s.t.auditLog)
            .where(and(eq(s.t.auditLog.userId, user.id), eq(s.t.auditLog.action, "token.create"))),
        )
      ).length;
    expect(await audits()).toBe(1);
    const res = await client.request("POST", "/api/tokens", { name: "one too many" });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ApiErrorBody).error).toMatchObject({
      code: "too_many_tokens",
      message: `You already have ${MAX_TOKENS_PER_USER} tokens (the limit is ${MAX_TOKENS_PER_USER}): revoke one first`,
    });
    expect((await client.get<{ tokens: TokenDto[] }>("/api/tokens")).tokens).toHaveLength(
      MAX_TOKENS_PER_USER,
    );
    expect(await audits()).toBe(1);
    expect((await client.request("DELETE", `/api/tokens/${first.id}`)).status).toBe(204);
    expect((await createToken(client, "again")).name).toBe("again");
    expect(await audits()).toBe(2);
  });

  it("validates the name, and refuses anonymous callers", async () => {
    const { client } = await registerUser(ctx.server.url);
    for (const [body, message] of [
      [{}, "The name is missing"],
      [{ name: "" }, "The name is empty"],
      [{ name: "x".repeat(129) }, "The name is longer than 128 characters"],
    ] as const) {
      const res = await client.request("POST", "/api/tokens", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ApiErrorBody).error.message).toBe(message);
    }
    const anon = new ApiClient(ctx.server.url);
    expect((await anon.request("POST", "/api/tokens", { name: "x" })).status).toBe(401);
    expect((await anon.request("GET", "/api/tokens")).status).toBe(401);
    expect((await anon.request("DELETE", "/api/tokens/1")).status).toBe(401);
    expect(
      (await tokenClient(ctx.server.url, "gloss_notarealtoken").request("GET", "/api/tokens")).status,
    ).toBe(401);
  });
});

// each CLI run starts a fresh Node + tsx process (1–3 s on a busy machine)
const CLI_TIMEOUT = { timeout: 120_000 };

describe("CLI: gloss token create", () => {
  it(
    "prints only the token, which then works against the server; exits 1 for an unknown user, 2 on bad arguments",
    CLI_TIMEOUT,
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-cli-"));
      expect((await runCli(["user", "add", "robot"], { dataDir })).code).toBe(0);
      const r = await runCli(["token", "create", "robot", "--name", "nightly export"], { dataDir });
      expect(r.code, r.stderr).toBe(0);
      const token = r.stdout.trim();
      expect(token).toMatch(/^gloss_[A-Za-z0-9_-]{43}$/);
      expect(r.stderr).toMatch(/nightly export/);

      // a server on the same data directory (the same database) holds the CLI's token
      const server = await startServer({ dataDir });
      try {
        expect(
          (await rows(server.store, (s) => s.q.select().from(s.t.apiTokens))).map((t) => t.name),
        ).toEqual(["nightly export"]);
        expect((await tokenClient(server.url, token).get<UserDto>("/api/auth/me")).username).toBe("robot");
      } finally {
        await server.close();
      }

      const unknown = await runCli(["token", "create", "nobody"], { dataDir });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/No user named 'nobody'/);
      expect(unknown.stdout).toBe("");
      for (const args of [
        ["token", "create"],
        ["token", "create", "robot", "--name"],
        ["token", "create", "robot", "--name", ""],
      ]) {
        const bad = await runCli(args, { dataDir });
        expect(bad.code, args.join(" ")).toBe(2);
        expect(bad.stderr).toMatch(/usage: pnpm gloss token create/);
      }
    },
  );
});
