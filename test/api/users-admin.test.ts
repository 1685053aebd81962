/**
 * The administrator's account management (issue 13 item 9): a page of accounts with search, disabling an
 * account (its sessions, tokens and open sockets stop at once; it cannot sign in; enabling lets it back),
 * resetting a password (the new one returned once, the old one and the account's sessions dead), each
 * audited; anyone but an instance admin gets 403, anonymous callers 401. GET /auth/session answers 200.
 */
import { createUser } from "@gloss/server/services/users";
import type { AdminUserDto, ApiErrorBody, CreatedUserDto, UserListDto } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import { connectClient } from "../helpers/collab";
import {
  addMember,
  createProject,
  createToken,
  DEFAULT_PASSWORD,
  loginUser,
  tokenClient,
  uniqueName,
  useServer,
} from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { exec, rows } from "../helpers/query";
import { addDocument } from "../helpers/seed";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("account administration: disable, enable, reset a password", () => {
  const ctx = useServer({ config: { allowSignup: false } });

  /** The first account (an admin, as the CLI would create it) signed in, and a member it created. */
  async function world() {
    const adminRow = await createUser(ctx.server.store, {
      username: uniqueName("root"),
      password: DEFAULT_PASSWORD,
    });
    const admin = await loginUser(ctx.server.url, adminRow.username);
    const created = await admin.json<CreatedUserDto>(
      "POST",
      "/api/users",
      { username: uniqueName("bo") },
      201,
    );
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    return { admin, adminId: adminRow.id, user: created, password: created.password! };
  }

  it("pages and searches the accounts, with when each was created and whether it is disabled", async () => {
    const { admin } = await world();
    for (const name of ["zeta_one", "zeta_two", "zeta_three"]) {
      await admin.json("POST", "/api/users", { username: name, displayName: `Z ${name}` }, 201);
    }
    const page = await admin.get<UserListDto>("/api/users?q=zeta&limit=2&offset=0");
    expect(page.total).toBe(3);
    expect(page.users.map((u) => u.username)).toEqual(["zeta_one", "zeta_three"]);
    expect(page.users[0]).toMatchObject({ disabledAt: null, isAdmin: false });
    expect(page.users[0]!.createdAt).toBeGreaterThan(0);
    const next = await admin.get<UserListDto>("/api/users?q=zeta&limit=2&offset=2");
    expect(next.users.map((u) => u.username)).toEqual(["zeta_two"]);
  });

  it("disabling ends the account's sessions, tokens and sockets at once; enabling lets it sign in again", async () => {
    const { admin, adminId, user, password } = await world();
    const session = await loginUser(ctx.server.url, user.username, password);
    const token = (await createToken(session)).token;
    const scripted = tokenClient(ctx.server.url, token);
    expect((await scripted.request("GET", "/api/auth/me")).status).toBe(200);
    // an open collaboration socket of the account, on a document it annotates
    const project = await createProject(admin);
    await addMember(admin, project.id, user.username, "annotator");
    const { id: documentId } = await addDocument(ctx.server.store, project.id, "The bridge is safe.", {
      assignTo: [user],
    });
    const socket = connectClient(ctx.server, {
      documentId,
      layer: `user-${user.id}`,
      auth: { cookie: session.cookie! },
    });
    await socket.synced();

    const disabled = await admin.json<AdminUserDto>(
      "PATCH",
      `/api/users/${user.id}`,
      { disabled: true },
      200,
    );
    expect(disabled.disabledAt).toBeGreaterThan(0);
    expect((await session.request("GET", "/api/auth/me")).status).toBe(401);
    expect((await scripted.request("GET", "/api/auth/me")).status).toBe(401);
    expect((await socket.closed()).code).toBe(4401);
    socket.destroy();
    const refused = await new ApiClient(ctx.server.url).request("POST", "/api/auth/login", {
      username: user.username,
      password,
    });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toBe("This account is disabled: ask an administrator");
    const listed = await admin.get<UserListDto>(`/api/users?q=${user.username}`);
    expect(listed.users[0]!.disabledAt).toBe(disabled.disabledAt);

    // an admin cannot lock themselves out
    const self = await admin.request("PATCH", `/api/users/${adminId}`, { disabled: true });
    expect(self.status).toBe(409);
    expect((await errorOf(self)).message).toBe("You cannot disable your own account");

    const enabled = await admin.json<AdminUserDto>(
      "PATCH",
      `/api/users/${user.id}`,
      { disabled: false },
      200,
    );
    expect(enabled.disabledAt).toBeNull();
    await loginUser(ctx.server.url, user.username, password);
    // the revoked token stays revoked
    expect((await scripted.request("GET", "/api/auth/me")).status).toBe(401);
    expect((await admin.request("PATCH", "/api/users/999999", { disabled: true })).status).toBe(404);

    const audit = await rows(ctx.server.store, (s) => s.q.select().from(s.t.auditLog));
    expect(
      audit
        .filter((a) => a.target === `user:${user.id}` && a.action.startsWith("user."))
        .map((a) => [a.action, a.userId]),
    ).toEqual([
      ["user.create", adminId],
      ["user.disable", adminId],
      ["user.enable", adminId],
    ]);
  });

  it("a reset password is returned once; the old one and the account's sessions stop working", async () => {
    const { admin, adminId, user, password } = await world();
    const session = await loginUser(ctx.server.url, user.username, password);
    const reset = await admin.json<{ password: string }>(
      "POST",
      `/api/users/${user.id}/password`,
      undefined,
      200,
    );
    expect(reset.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(reset.password).not.toBe(password);
    expect((await session.request("GET", "/api/auth/me")).status).toBe(401);
    const old = await new ApiClient(ctx.server.url).request("POST", "/api/auth/login", {
      username: user.username,
      password,
    });
    expect(old.status).toBe(401);
    await loginUser(ctx.server.url, user.username, reset.password);
    const audit = await rows(ctx.server.store, (s) => s.q.select().from(s.t.auditLog));
    const entry = audit.find((a) => a.action === "user.password_reset");
    expect(entry).toMatchObject({ userId: adminId, target: `user:${user.id}` });
    expect(JSON.stringify(audit)).not.toContain(reset.password);
  });

  it("an invite link lets the invitee set their own password, once, before it expires", async () => {
    const { admin, adminId } = await world();
    const both = await admin.request("POST", "/api/users", {
      username: uniqueName("both"),
      password: DEFAULT_PASSWORD,
      invite: true,
    });
    expect(both.status).toBe(400);
    expect((await errorOf(both)).message).toBe("Give a password or an invite, not both");

    const invited = await admin.json<CreatedUserDto>(
      "POST",
      "/api/users",
      { username: uniqueName("inv"), displayName: "Ivy", invite: true },
      201,
    );
    expect(invited.password).toBeUndefined();
    const token = invited.invite!.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invited.invite!.expiresAt).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    const visitor = new ApiClient(ctx.server.url);
    expect(await visitor.get(`/api/auth/invites/${token}`)).toMatchObject({
      username: invited.username,
      displayName: "Ivy",
    });
    const short = await visitor.request("POST", `/api/auth/invites/${token}`, { password: "short" });
    expect(short.status).toBe(400);
    const me = await visitor.json<{ id: number }>(
      "POST",
      `/api/auth/invites/${token}`,
      { password: DEFAULT_PASSWORD },
      200,
    );
    expect(me.id).toBe(invited.id);
    // signed in by it, and it is used up
    expect((await visitor.get<{ id: number }>("/api/auth/me")).id).toBe(invited.id);
    const again = await new ApiClient(ctx.server.url).request("POST", `/api/auth/invites/${token}`, {
      password: DEFAULT_PASSWORD,
    });
    expect(again.status).toBe(404);
    expect((await errorOf(again)).code).toBe("invite_invalid");
    await loginUser(ctx.server.url, invited.username);

    // an expired one works no more
    const late = await admin.json<CreatedUserDto>(
      "POST",
      "/api/users",
      { username: uniqueName("late"), invite: true },
      201,
    );
    await exec(ctx.server.store, (s) => s.q.update(s.t.invites).set({ expiresAt: Date.now() - 1 }));
    expect((await visitor.request("GET", `/api/auth/invites/${late.invite!.token}`)).status).toBe(404);

    const audit = await rows(ctx.server.store, (s) => s.q.select().from(s.t.auditLog));
    expect(audit.filter((a) => a.target === `user:${invited.id}`).map((a) => [a.action, a.userId])).toEqual([
      ["user.create", adminId],
      ["user.invite", adminId],
      ["user.invite_accept", invited.id],
    ]);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it("only an instance admin may: others get 403, anonymous callers 401", async () => {
    const { user, password } = await world();
    const plain = await loginUser(ctx.server.url, user.username, password);
    const anonymous = new ApiClient(ctx.server.url);
    for (const [method, path, body] of [
      ["GET", "/api/users", undefined],
      ["POST", "/api/users", { username: "x_y" }],
      ["PATCH", `/api/users/${user.id}`, { disabled: true }],
      ["POST", `/api/users/${user.id}/password`, undefined],
    ] as const) {
      expect((await plain.request(method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await anonymous.request(method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    // and nothing happened
    await loginUser(ctx.server.url, user.username, password);
  });

  it("GET /auth/session answers 200 either way: the user, or null for a visitor", async () => {
    const { admin } = await world();
    const anonymous = new ApiClient(ctx.server.url);
    expect(await anonymous.json("GET", "/api/auth/session", undefined, 200)).toEqual({ user: null });
    const me = await admin.get("/api/auth/me");
    expect(await admin.get("/api/auth/session")).toEqual({ user: me });
  });
});
