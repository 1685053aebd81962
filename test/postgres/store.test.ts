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
import {
  all,
  call,
  execute,
  executeSync,
  get,
  inIds,
  run,
  type Store,
  transaction,
} from "@gloss/server/db/store";
import { HttpError } from "@gloss/server/errors";
import {
  addMember,
  changeMemberRole,
  findMember,
  listMembers,
  removeMember,
} from "@gloss/server/routes/projects/members";
import { recordAudit } from "@gloss/server/services/audit";
import {
  createLabel,
  deleteLabel,
  listLabels,
  reorderLabels,
  updateLabel,
} from "@gloss/server/services/labels";
import {
  createProject,
  listProjectsFor,
  projectDto,
  projectStats,
  updateProject,
} from "@gloss/server/services/projects";
import { createUser, findUserByUsername, listUsers } from "@gloss/server/services/users";
import type { UserDto } from "@gloss/shared";
import { asc, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BACKENDS, settle, useClosers } from "../helpers/backends";

const closers = useClosers();

function* auditCount(store: Store) {
  return (yield* get(store.q.select({ n: count() }).from(store.t.auditLog)))!.n;
}

describe.each(BACKENDS)("on $name", (backend) => {
  const open = async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    return store;
  };

  it("inIds: a column in a list of ids bound as one parameter, given at once or through a placeholder", async () => {
    const store = await open();
    const { users } = store.t;
    const made = await execute(
      store,
      all(
        store.q
          .insert(users)
          .values(
            ["a", "b", "c", "d"].map((username) => ({ username, displayName: username, passwordHash: "x" })),
          )
          .returning(),
      ),
    );
    const ids = made.map((u) => u.id);
    const names = (rows: { username: string }[]) => rows.map((r) => r.username);
    const where = (list: number[]) =>
      store.q
        .select()
        .from(users)
        .where(inIds(store, users.id, list))
        .orderBy(asc(users.id));
    expect(names(await execute(store, all(where([ids[3]!, ids[1]!, ids[1]!, 9999]))))).toEqual(["b", "d"]);
    expect(names(await execute(store, all(where([]))))).toEqual([]);
    // 5,000 ids: more than SQLite's old 999-parameter limit, still one parameter
    const many = [...Array(5000).keys()].map((i) => i + 1);
    expect(names(await execute(store, all(where(many))))).toEqual(["a", "b", "c", "d"]);
    // with other parameters around it, and through a prepared query's placeholder
    const mixed = store.q
      .select()
      .from(users)
      .where(sql`${inIds(store, users.id, ids)} and ${users.username} <> ${"c"}`)
      .orderBy(asc(users.id));
    expect(names(await execute(store, all(mixed)))).toEqual(["a", "b", "d"]);
    const prepared = store.q
      .select()
      .from(users)
      .where(inIds(store, users.id, sql.placeholder("ids")))
      .orderBy(asc(users.id));
    const bound = [ids[0]!, ids[2]!];
    const rows =
      store.dialect === "pg"
        ? await (prepared as unknown as { execute(p: object): Promise<{ username: string }[]> }).execute({
            ids: bound,
          })
        : prepared.prepare().all({ ids: JSON.stringify(bound) });
    expect(names(rows)).toEqual(["a", "c"]);
  });

  it("projects: created with its labels, its manager and an audit row; settings patched; listed with stats and q", async () => {
    const store = await open();
    const { assignments, auditLog, curations, documents, projectMembers } = store.t;
    const owner = toUserDto(await createUser(store, { username: "root", password: "correct horse battery" }));
    const maker = toUserDto(await createUser(store, { username: "ada", password: "correct horse battery" }));
    const other = toUserDto(await createUser(store, { username: "bob", password: "correct horse battery" }));
    const first = await call(store, createProject, maker.id, {
      name: "Ancient Greek",
      labels: [{ name: "Person" }, { name: "Place", hotkey: null }],
      relationTypes: ["kin", "at"],
    });
    expect(first).toMatchObject({
      name: "Ancient Greek",
      description: "",
      mode: "independent",
      annotatorsPerDocument: 2,
      snapping: "word",
      relationTypes: ["kin", "at"],
      createdBy: maker.id,
    });
    expect(typeof first.createdAt).toBe("number");
    const dto = await call(store, projectDto, first, "manager");
    expect(dto.labels.map((l) => [l.name, l.hotkey, l.order])).toEqual([
      ["Person", "1", 0],
      ["Place", null, 1],
    ]);
    expect([dto.role, dto.stats]).toEqual(["manager", { documents: 0, assignments: 0, done: 0, curated: 0 }]);
    const members = await execute(
      store,
      all(store.q.select().from(projectMembers).where(eq(projectMembers.projectId, first.id))),
    );
    expect(members.map((m) => [m.userId, m.role])).toEqual([[maker.id, "manager"]]);
    const created = await execute(
      store,
      all(store.q.select().from(auditLog).where(eq(auditLog.action, "project.create"))),
    );
    expect(created.map((r) => [r.userId, r.projectId, r.target, r.details])).toEqual([
      [
        maker.id,
        first.id,
        `project:${first.id}`,
        { name: "Ancient Greek", mode: "independent", labels: ["Person", "Place"] },
      ],
    ]);
    // a bad relation type or repeated label: 400, and nothing is stored
    expect(
      await settle(
        call(store, createProject, maker.id, { name: "x", labels: [{ name: "A" }, { name: "a" }] }),
      ),
    ).toBe("400 bad_request: 'a' appears twice among the labels (labels 1 and 2)");
    expect(
      await settle(call(store, createProject, maker.id, { name: "x", relationTypes: ["kin", "kin"] })),
    ).toBe("400 bad_request: 'kin' appears twice among the relation types");

    const patched = await call(store, updateProject, maker.id, first, {
      description: "Herodotus",
      relationTypes: ["kin"],
    });
    expect([patched.description, patched.relationTypes, patched.name]).toEqual([
      "Herodotus",
      ["kin"],
      "Ancient Greek",
    ]);
    expect(await call(store, updateProject, maker.id, patched, {})).toBe(patched);
    const updates = await execute(
      store,
      all(store.q.select().from(auditLog).where(eq(auditLog.action, "project.update"))),
    );
    expect(updates.map((r) => r.details)).toEqual([
      {
        before: { description: "", relationTypes: ["kin", "at"] },
        patch: { description: "Herodotus", relationTypes: ["kin"] },
      },
    ]);

    // progress figures: 2 documents, 3 assignments of which 2 done, 1 curated
    const docs = await execute(
      store,
      all(
        store.q
          .insert(documents)
          .values(
            ["one", "two"].map((t) => ({ projectId: first.id, name: t, text: t, sha256: t, length: 3 })),
          )
          .returning(),
      ),
    );
    await execute(
      store,
      run(
        store.q.insert(assignments).values([
          { documentId: docs[0]!.id, userId: maker.id, status: "done" },
          { documentId: docs[0]!.id, userId: other.id, status: "done" },
          { documentId: docs[1]!.id, userId: maker.id },
        ]),
      ),
    );
    await execute(store, run(store.q.insert(curations).values({ documentId: docs[0]!.id, status: "done" })));
    const second = await call(store, createProject, other.id, { name: "Latin", labels: [] });
    const third = await call(store, createProject, maker.id, { name: "Old Norse" });
    const stats = await call(store, projectStats, [first.id, second.id]);
    expect(Object.fromEntries(stats)).toEqual({
      [first.id]: { documents: 2, assignments: 3, done: 2, curated: 1 },
      [second.id]: { documents: 0, assignments: 0, done: 0, curated: 0 },
    });
    expect((await call(store, projectStats, [])).size).toBe(0);

    const list = await call(store, listProjectsFor, maker, { limit: 10, offset: 0 });
    expect(list.total).toBe(2);
    expect(list.projects.map((p) => [p.name, p.role, p.labels.length, p.stats?.documents])).toEqual([
      ["Old Norse", "manager", expect.any(Number), 0],
      ["Ancient Greek", "manager", 2, 2],
    ]);
    expect(list.projects[0]!.id).toBe(third.id);
    // the first account is the instance admin: every project, a member's role only where it is one
    const everything = await call(store, listProjectsFor, owner, { limit: 2, offset: 0 });
    expect([everything.total, everything.projects.map((p) => [p.name, p.role])]).toEqual([
      3,
      [
        ["Old Norse", null],
        ["Latin", null],
      ],
    ]);
    const searched = await call(store, listProjectsFor, owner, { q: "GREEK", limit: 10, offset: 0 });
    expect([searched.total, searched.projects.map((p) => p.name)]).toEqual([1, ["Ancient Greek"]]);
    const bobs = await call(store, listProjectsFor, other, { q: "a", limit: 10, offset: 0 });
    expect([bobs.total, bobs.projects.map((p) => [p.name, p.role, p.labels])]).toEqual([
      1,
      [["Latin", "manager", []]],
    ]);
    expect(await call(store, listProjectsFor, other, { q: "greek", limit: 10, offset: 0 })).toEqual({
      projects: [],
      total: 0,
    });
  });

  it("members: add by username, list with role and q, change role, remove; the last manager stays", async () => {
    const store = await open();
    const { auditLog } = store.t;
    const seeded: UserDto[] = [];
    for (const [username, displayName] of <const>[
      ["mia", "Mia Manager"],
      ["cal", "Cal Curator"],
      ["ann", "Ann Lovelace"],
      ["zed", "Zed Lovelace"],
    ])
      seeded.push(
        toUserDto(await createUser(store, { username, displayName, password: "correct horse battery" })),
      );
    const [mia, cal, ann, zed] = seeded as [UserDto, UserDto, UserDto, UserDto];
    const p = (await call(store, createProject, mia.id, { name: "P" })).id;
    expect(await call(store, addMember, mia.id, p, { username: "cal", role: "curator" })).toEqual({
      userId: cal.id,
      username: "cal",
      displayName: "Cal Curator",
      role: "curator",
    });
    await call(store, addMember, mia.id, p, { username: "ann", role: "annotator" });
    await call(store, addMember, mia.id, p, { username: "zed", role: "annotator" });
    expect(await settle(call(store, addMember, mia.id, p, { username: "nobody", role: "annotator" }))).toBe(
      "404 user_not_found: No user named 'nobody'",
    );
    expect(await settle(call(store, addMember, mia.id, p, { username: "ann", role: "curator" }))).toBe(
      "409 already_member: ann is already a annotator here",
    );

    const page = (query: {
      role?: "manager" | "curator" | "annotator";
      q?: string;
      offset?: number;
      limit?: number;
    }) =>
      call(store, listMembers, p, { limit: 2, offset: 0, ...query }).then((r) => ({
        total: r.total,
        names: r.members.map((m) => `${m.username}:${m.role}`),
      }));
    expect(await page({})).toEqual({ total: 4, names: ["ann:annotator", "cal:curator"] });
    expect(await page({ offset: 2 })).toEqual({ total: 4, names: ["mia:manager", "zed:annotator"] });
    expect(await page({ role: "annotator" })).toEqual({
      total: 2,
      names: ["ann:annotator", "zed:annotator"],
    });
    expect(await page({ q: "LOVE" })).toEqual({ total: 2, names: ["ann:annotator", "zed:annotator"] });
    expect(await page({ q: "ca", role: "curator" })).toEqual({ total: 1, names: ["cal:curator"] });
    expect(await page({ q: "nobody" })).toEqual({ total: 0, names: [] });

    expect(await settle(call(store, changeMemberRole, mia.id, p, mia.id, "curator"))).toBe(
      "409 last_manager: mia is the project's last manager: make someone else a manager first",
    );
    expect(await settle(call(store, removeMember, mia.id, p, mia.id))).toMatch(/^409 last_manager: /);
    expect(await call(store, changeMemberRole, mia.id, p, cal.id, "manager")).toMatchObject({
      userId: cal.id,
      role: "manager",
    });
    expect(await call(store, changeMemberRole, mia.id, p, mia.id, "curator")).toMatchObject({
      role: "curator",
    });
    await call(store, removeMember, cal.id, p, ann.id);
    expect(await call(store, findMember, p, ann.id)).toBeUndefined();
    expect(await settle(call(store, removeMember, cal.id, p, ann.id))).toBe(
      "404 not_found: No such member in this project",
    );
    expect(await settle(call(store, changeMemberRole, cal.id, p, zed.id + 1000, "curator"))).toBe(
      "404 not_found: No such member in this project",
    );
    expect((await page({ limit: 10 })).names).toEqual(["cal:manager", "mia:curator", "zed:annotator"]);
    const entries = await execute(store, all(store.q.select().from(auditLog).orderBy(asc(auditLog.id))));
    expect(
      entries
        .filter((e) => e.action.startsWith("member."))
        .map((e) => [e.action, e.userId, e.target, e.details]),
    ).toEqual([
      ["member.add", mia.id, `user:${cal.id}`, { username: "cal", role: "curator" }],
      ["member.add", mia.id, `user:${ann.id}`, { username: "ann", role: "annotator" }],
      ["member.add", mia.id, `user:${zed.id}`, { username: "zed", role: "annotator" }],
      ["member.role", mia.id, `user:${cal.id}`, { username: "cal", from: "curator", to: "manager" }],
      ["member.role", mia.id, `user:${mia.id}`, { username: "mia", from: "manager", to: "curator" }],
      ["member.remove", cal.id, `user:${ann.id}`, { username: "ann", role: "annotator" }],
    ]);
  });

  it("labels: create with a palette colour and the next free hotkey, rename, move, reorder, delete; conflicts refused", async () => {
    const store = await open();
    const { annotations, auditLog, documents, projects } = store.t;
    const actor = (await createUser(store, { username: "ada", password: "correct horse battery" })).id;
    const project = (await execute(store, get(store.q.insert(projects).values({ name: "P" }).returning())))!;
    const p = project.id;
    const a = await call(store, createLabel, actor, p, { name: "Person" });
    const b = await call(store, createLabel, actor, p, { name: "Place", hotkey: "5", color: "#123456" });
    const c = await call(store, createLabel, actor, p, { name: "Thing", description: "objects" });
    expect([a, b, c].map((l) => [l.name, l.hotkey, l.order, l.description])).toEqual([
      ["Person", "1", 0, ""],
      ["Place", "5", 1, ""],
      ["Thing", "2", 2, "objects"],
    ]);
    expect(b.color).toBe("#123456");
    expect(a.color).not.toBe(c.color);
    // the hotkey is taken by Person; the name by Person too, whatever its case
    expect(await settle(call(store, createLabel, actor, p, { name: "PERSON" }))).toBe(
      "409 label_name_taken: A label named 'Person' already exists",
    );
    expect(await settle(call(store, updateLabel, actor, p, c.id, { hotkey: "1" }))).toBe(
      "409 hotkey_taken: Hotkey '1' is already used by 'Person'",
    );
    const renamed = await call(store, updateLabel, actor, p, c.id, { name: "Object", order: 0 });
    expect([renamed.name, renamed.order]).toEqual(["Object", 0]);
    const names = async () => (await call(store, listLabels, p)).map((l) => `${l.name}@${l.order}`);
    expect(await names()).toEqual(["Object@0", "Person@1", "Place@2"]);
    expect(await call(store, updateLabel, actor, p, a.id, {})).toMatchObject({ name: "Person", order: 1 });
    expect(await settle(call(store, updateLabel, actor, p, a.id + 1000, { name: "X" }))).toBe(
      "404 not_found: No such label in this project",
    );

    const reordered = await call(store, reorderLabels, actor, p, [b.id, a.id, c.id]);
    expect(reordered.map((l) => l.name)).toEqual(["Place", "Person", "Object"]);
    expect(await settle(call(store, reorderLabels, actor, p, [b.id, a.id]))).toMatch(
      /^400 \w+: order: label ids missing: \d+$/,
    );
    expect(await settle(call(store, reorderLabels, actor, p, [b.id, b.id, a.id, c.id]))).toMatch(
      /^400 \w+: order\.1: label \d+ appears twice$/,
    );

    const doc = (await execute(
      store,
      get(
        store.q
          .insert(documents)
          .values({ projectId: p, name: "d", text: "t", sha256: "t", length: 1 })
          .returning(),
      ),
    ))!;
    await execute(
      store,
      run(
        store.q.insert(annotations).values({
          projectId: p,
          documentId: doc.id,
          layer: "user-1",
          spanId: "s1",
          start: 0,
          end: 1,
          labelId: a.id,
          createdAt: Date.now(),
        }),
      ),
    );
    expect(await settle(call(store, deleteLabel, actor, p, a.id))).toBe(
      "409 label_in_use: Label 'Person' is used by 1 annotation: relabel or delete them first",
    );
    await call(store, deleteLabel, actor, p, b.id);
    expect(await names()).toEqual(["Person@0", "Object@1"]);
    const actions = await execute(
      store,
      all(store.q.select({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.id))),
    );
    expect(actions.map((r) => r.action).filter((x) => x.startsWith("label."))).toEqual([
      "label.create",
      "label.create",
      "label.create",
      "label.update",
      "label.reorder",
      "label.delete",
    ]);
  });

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
