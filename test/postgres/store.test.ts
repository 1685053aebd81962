/**
 * One set of services over both databases (server/src/db/store.ts): the drivers' semantics — transactions,
 * savepoints, errors handed back to the service — and the services converted so far, each body run on
 * SQLite and on PostgreSQL with the same expectations.
 */
import { documentAccess, projectAccess } from "@gloss/server/auth/access";
import {
  createApiToken,
  createSession,
  deleteSession,
  resolveCredential,
  resolveUser,
  SESSION_COOKIE,
  toUserDto,
} from "@gloss/server/auth/sessions";
import { all, call, execute, executeSync, get, run, type Store, transaction } from "@gloss/server/db/store";
import { HttpError } from "@gloss/server/errors";
import { recordAudit } from "@gloss/server/services/audit";
import { createUser, findUserByUsername, listUsers } from "@gloss/server/services/users";
import type { UserDto } from "@gloss/shared";
import { count, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/backends";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function* auditCount(store: Store) {
  return (yield* get(store.q.select({ n: count() }).from(store.t.auditLog)))!.n;
}

describe.each(BACKENDS)("on $name", (backend) => {
  const open = async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    return store;
  };

  it("a transaction commits when its body returns, rolls back when it throws; a nested one is a savepoint", async () => {
    const store = await open();
    await execute(
      store,
      transaction(function* (tx) {
        yield* recordAudit(tx, { userId: null, action: "kept" });
      }),
    );
    await expect(
      execute(
        store,
        transaction(function* (tx) {
          yield* recordAudit(tx, { userId: null, action: "rolled.back" });
          throw new Error("changed my mind");
        }),
      ),
    ).rejects.toThrow("changed my mind");
    await execute(
      store,
      transaction(function* (tx) {
        yield* recordAudit(tx, { userId: null, action: "outer" });
        try {
          yield* transaction(function* (inner) {
            yield* recordAudit(inner, { userId: null, action: "inner" });
            throw new Error("inner only");
          });
        } catch (err) {
          expect(String(err)).toContain("inner only");
        }
      }),
    );
    const actions = await execute(
      store,
      all(
        store.q
          .select({ action: store.t.auditLog.action })
          .from(store.t.auditLog)
          .orderBy(store.t.auditLog.id),
      ),
    );
    expect(actions.map((a) => a.action)).toEqual(["kept", "outer"]);
  });

  it("a failing query is thrown into the service, which may catch it and go on", async () => {
    const store = await open();
    const { users } = store.t;
    const outcome = await execute(
      store,
      (function* () {
        yield* run(store.q.insert(users).values({ username: "ada", displayName: "Ada", passwordHash: "x" }));
        try {
          yield* run(
            store.q.insert(users).values({ username: "ada", displayName: "Ada 2", passwordHash: "y" }),
          );
          return "inserted twice";
        } catch {
          const rows = yield* all(store.q.select().from(users).where(eq(users.username, "ada")));
          return `refused; ${rows.length} row, ${rows[0]!.displayName}`;
        }
      })(),
    );
    expect(outcome).toBe("refused; 1 row, Ada");
  });

  it("users: the first account is the administrator; a look-alike name is refused and nothing is stored", async () => {
    const store = await open();
    const ada = await createUser(store, {
      username: "ada",
      password: "correct horse battery",
      displayName: " Ada ",
    });
    const bob = await createUser(store, { username: "bob", password: "correct horse battery" }, ada.id);
    expect([ada.isAdmin, ada.displayName, bob.isAdmin, bob.displayName]).toEqual([true, "Ada", false, "bob"]);
    expect(typeof ada.createdAt).toBe("number");
    const before = await execute(store, auditCount(store));
    const refused = await createUser(store, { username: "ADA", password: "correct horse battery" }).catch(
      (e) => e,
    );
    expect(refused).toBeInstanceOf(HttpError);
    expect([(refused as HttpError).status, (refused as HttpError).code]).toEqual([409, "username_taken"]);
    expect(await execute(store, auditCount(store))).toBe(before);
    expect((await call(store, findUserByUsername, "ada"))?.id).toBe(ada.id);
    expect(await call(store, findUserByUsername, "ADA")).toBeUndefined();
    for (const name of ["carol", "dave", "Eve"])
      await createUser(store, {
        username: name,
        displayName: `${name} Lovelace`,
        password: "correct horse battery",
      });
    const page = await call(store, listUsers, { q: "LOVE", limit: 2, offset: 0 });
    expect(page).toEqual({
      total: 3,
      users: [expect.objectContaining({ username: "Eve" }), expect.objectContaining({ username: "carol" })],
    });
    expect((await call(store, listUsers, { limit: 10, offset: 4 })).users.map((u) => u.username)).toEqual([
      "dave",
    ]);
  });

  it("sessions and tokens: who a cookie or a bearer token is, until signed out, expired or revoked", async () => {
    const store = await open();
    const ada = await createUser(store, { username: "ada", password: "correct horse battery" });
    const session = await call(store, createSession, ada.id);
    const cookie = `${SESSION_COOKIE}=${session.value}`;
    const byCookie = await call(store, resolveUser, { cookie });
    expect(byCookie).toMatchObject({ user: { id: ada.id, username: "ada" }, via: "cookie" });
    expect(await call(store, resolveCredential, byCookie!.credential)).toMatchObject({ id: ada.id });

    const { token, row } = await call(store, createApiToken, ada.id, "script");
    expect(row.lastUsedAt).toBeNull();
    const byToken = await call(store, resolveUser, { authorization: `Bearer ${token}` });
    expect(byToken).toMatchObject({ user: { id: ada.id }, via: "token", credential: `t:${row.id}` });
    const { apiTokens, sessions } = store.t;
    const touched = await execute(
      store,
      get(store.q.select().from(apiTokens).where(eq(apiTokens.id, row.id))),
    );
    expect(typeof touched!.lastUsedAt).toBe("number");
    expect(await call(store, resolveUser, { authorization: `Bearer ${token}x` })).toBeNull();

    await execute(
      store,
      run(store.q.update(apiTokens).set({ revokedAt: Date.now() }).where(eq(apiTokens.id, row.id))),
    );
    expect(await call(store, resolveUser, { authorization: `Bearer ${token}` })).toBeNull();
    expect(await call(store, resolveCredential, `t:${row.id}`)).toBeNull();

    await execute(store, run(store.q.update(sessions).set({ expiresAt: Date.now() - 1 })));
    expect(await call(store, resolveUser, { cookie })).toBeNull();
    const second = await call(store, createSession, ada.id);
    await call(store, deleteSession, second.value);
    expect(await call(store, resolveUser, { cookie: `${SESSION_COOKIE}=${second.value}` })).toBeNull();
  });

  it("access: an admin sees any project, a member has their role, an annotator only assigned documents; else 404", async () => {
    const store = await open();
    const { assignments, documents, projectMembers, projects } = store.t;
    const seeded: UserDto[] = [];
    // the first account is the instance administrator
    for (const username of ["admin", "curator", "annotator", "stranger"])
      seeded.push(toUserDto(await createUser(store, { username, password: "correct horse battery" })));
    const [admin, curator, annotator, stranger] = seeded as [UserDto, UserDto, UserDto, UserDto];
    const project = (await execute(store, get(store.q.insert(projects).values({ name: "P" }).returning())))!;
    await execute(
      store,
      run(
        store.q.insert(projectMembers).values([
          { projectId: project.id, userId: curator.id, role: "curator" },
          { projectId: project.id, userId: annotator.id, role: "annotator" },
        ]),
      ),
    );
    const [assigned, unassigned] = await execute(
      store,
      all(
        store.q
          .insert(documents)
          .values(
            ["one", "two"].map((t) => ({ projectId: project.id, name: t, text: t, sha256: t, length: 3 })),
          )
          .returning(),
      ),
    );
    await execute(
      store,
      run(store.q.insert(assignments).values({ documentId: assigned!.id, userId: annotator.id })),
    );
    // what a call ends in: the role it grants, or the HttpError's status and message
    const outcome = (p: Promise<{ role: string }>) =>
      p.then(
        (a) => a.role,
        (e: unknown) => (e instanceof HttpError ? `${e.status} ${e.message}` : `not an HttpError: ${e}`),
      );
    const project404 = "404 No such project";
    const document404 = "404 No such document";

    expect(await call(store, projectAccess, admin, project.id)).toMatchObject({
      user: admin,
      role: "admin",
      project: { id: project.id, name: "P" },
    });
    expect(await outcome(call(store, projectAccess, curator, project.id))).toBe("curator");
    expect(await outcome(call(store, projectAccess, annotator, project.id))).toBe("annotator");
    expect(await outcome(call(store, projectAccess, stranger, project.id))).toBe(project404);
    expect(await outcome(call(store, projectAccess, admin, project.id + 1000))).toBe(project404);
    for (const id of [0, -1, 1.5, Number.NaN])
      expect([id, await outcome(call(store, projectAccess, admin, id))]).toEqual([id, project404]);
    expect(await outcome(call(store, projectAccess, null, project.id))).toMatch(/^401 /);

    const seen = await call(store, documentAccess, annotator, assigned!.id);
    expect(seen).toMatchObject({
      role: "annotator",
      project: { id: project.id },
      document: { id: assigned!.id, text: "one" },
    });
    expect(await outcome(call(store, documentAccess, annotator, unassigned!.id))).toBe(document404);
    for (const doc of [assigned!, unassigned!]) {
      expect(await outcome(call(store, documentAccess, curator, doc.id))).toBe("curator");
      expect(await outcome(call(store, documentAccess, admin, doc.id))).toBe("admin");
      expect(await outcome(call(store, documentAccess, stranger, doc.id))).toBe(document404);
    }
    expect(await outcome(call(store, documentAccess, admin, unassigned!.id + 1000))).toBe(document404);
    for (const id of [0, -1, 1.5, Number.NaN])
      expect([id, await outcome(call(store, documentAccess, admin, id))]).toEqual([id, document404]);
    expect(await outcome(call(store, documentAccess, null, assigned!.id))).toMatch(/^401 /);
  });
});

describe("the SQLite driver", () => {
  it("runs a service to its end within the call: nothing else can run in the middle of its transaction", async () => {
    const { store, close } = await BACKENDS[0]!.open();
    closers.push(close);
    if (store.dialect !== "sqlite") throw new Error("expected SQLite");
    let interleaved = false;
    queueMicrotask(() => {
      interleaved = true;
    });
    const n = executeSync(
      store,
      transaction(function* (tx) {
        for (let i = 0; i < 50; i++) yield* recordAudit(tx, { userId: null, action: `a${i}` });
        return yield* auditCount(tx);
      }),
    );
    expect([n, interleaved]).toEqual([50, false]);
  });
});
