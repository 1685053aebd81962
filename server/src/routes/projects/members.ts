/**
 * /projects/:id/members: list (members), add, change role, remove (managers). A project always keeps at
 * least one manager: removing or demoting the last one is refused (409), or nobody could manage it.
 */

import {
  AddMemberBody,
  ListMembersQuery,
  MemberDto,
  MemberListDto,
  MemberParams,
  PatchMemberBody,
  ProjectParams,
  type Role,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { and, asc, count, eq, or } from "drizzle-orm";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { all, call, containsText, type Gen, get, run, type Store, transaction } from "../../db/store";
import { HttpError, notFound } from "../../errors";
import { recordAudit } from "../../services/audit";
import { findUserByUsername } from "../../services/users";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";

const managerErrors = { ...memberErrors, 409: errors[409] };

const listRoute = createRoute({
  method: "get",
  path: "/projects/{id}/members",
  operationId: "listMembers",
  tags: ["members"],
  summary: "A page of the project's members and their roles (members)",
  request: { params: ProjectParams, query: ListMembersQuery },
  responses: { 200: json(MemberListDto, "The page; `total` counts every match"), ...memberErrors },
});
const addRoute = createRoute({
  method: "post",
  path: "/projects/{id}/members",
  operationId: "addMember",
  tags: ["members"],
  summary: "Add an account to the project with a role (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(AddMemberBody) },
  responses: { 201: json(MemberDto, "The new member"), ...managerErrors },
});
const patchRoute = createRoute({
  method: "patch",
  path: "/projects/{id}/members/{userId}",
  operationId: "updateMember",
  tags: ["members"],
  summary: "Change a member's role (managers; the last manager stays one: 409 last_manager)",
  middleware: readJson(),
  request: { params: MemberParams, ...jsonBody(PatchMemberBody) },
  responses: { 200: json(MemberDto, "The member"), ...managerErrors },
});
const removeRoute = createRoute({
  method: "delete",
  path: "/projects/{id}/members/{userId}",
  operationId: "removeMember",
  tags: ["members"],
  summary: "Remove a member (managers; never the last manager: 409 last_manager)",
  request: { params: MemberParams },
  responses: { 204: { description: "Removed" }, ...managerErrors },
});

/** The columns of a MemberDto. */
const memberColumns = (store: Store) => {
  const { projectMembers, users } = store.t;
  return {
    userId: users.id,
    username: users.username,
    displayName: users.displayName,
    role: projectMembers.role,
  };
};

/** A page of the project's members by username, filtered by role and `q` in the username or display name. */
export function* listMembers(store: Store, projectId: number, query: ListMembersQuery): Gen<MemberListDto> {
  const { projectMembers, users } = store.t;
  const where = and(
    eq(projectMembers.projectId, projectId),
    query.role ? eq(projectMembers.role, query.role) : undefined,
    query.q
      ? or(containsText(store, users.username, query.q), containsText(store, users.displayName, query.q))
      : undefined,
  );
  const total = (yield* get(
    store.q
      .select({ n: count() })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(where),
  ))!.n;
  const members = yield* all(
    store.q
      .select(memberColumns(store))
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(where)
      .orderBy(asc(users.username), asc(users.id))
      .limit(query.limit)
      .offset(query.offset),
  );
  return { members, total };
}

/** One member, if `userId` is one. */
export function* findMember(store: Store, projectId: number, userId: number): Gen<MemberDto | undefined> {
  const { projectMembers, users } = store.t;
  return yield* get(
    store.q
      .select(memberColumns(store))
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId))),
  );
}

function* getMember(store: Store, projectId: number, userId: number): Gen<MemberDto> {
  const m = yield* findMember(store, projectId, userId);
  if (!m) throw notFound("No such member in this project");
  return m;
}

/** 409 when `member` is the project's only manager and is about to stop being one. */
function* keepAManager(store: Store, projectId: number, member: MemberDto, nextRole: Role | null): Gen<void> {
  if (member.role !== "manager" || nextRole === "manager") return;
  const { projectMembers } = store.t;
  const managers =
    (yield* get(
      store.q
        .select({ n: count() })
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, "manager"))),
    ))?.n ?? 0;
  if (managers <= 1) {
    throw new HttpError(
      409,
      "last_manager",
      `${member.username} is the project's last manager: make someone else a manager first`,
    );
  }
}

/** Adds the account named `username` with `role`: 404 user_not_found, 409 already_member. */
export function addMember(
  _store: Store,
  actorId: number,
  projectId: number,
  body: { username: string; role: Role },
): Gen<MemberDto> {
  return transaction(function* (tx) {
    const user = yield* findUserByUsername(tx, body.username);
    if (!user) {
      throw new HttpError(404, "user_not_found", `No user named '${body.username}'`, { field: "username" });
    }
    const already = yield* findMember(tx, projectId, user.id);
    if (already) {
      throw new HttpError(409, "already_member", `${user.username} is already a ${already.role} here`, {
        role: already.role,
      });
    }
    yield* run(tx.q.insert(tx.t.projectMembers).values({ projectId, userId: user.id, role: body.role }));
    yield* recordAudit(tx, {
      userId: actorId,
      projectId,
      action: "member.add",
      target: `user:${user.id}`,
      details: { username: user.username, role: body.role },
    });
    return yield* getMember(tx, projectId, user.id);
  });
}

/** Changes a member's role (never the last manager's away from manager). */
export function changeMemberRole(
  _store: Store,
  actorId: number,
  projectId: number,
  userId: number,
  role: Role,
): Gen<MemberDto> {
  return transaction(function* (tx) {
    const { projectMembers } = tx.t;
    const before = yield* getMember(tx, projectId, userId);
    yield* keepAManager(tx, projectId, before, role);
    yield* run(
      tx.q
        .update(projectMembers)
        .set({ role })
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, before.userId))),
    );
    yield* recordAudit(tx, {
      userId: actorId,
      projectId,
      action: "member.role",
      target: `user:${before.userId}`,
      details: { username: before.username, from: before.role, to: role },
    });
    return { ...before, role };
  });
}

/** Removes a member (never the last manager). */
export function removeMember(_store: Store, actorId: number, projectId: number, userId: number): Gen<void> {
  return transaction(function* (tx) {
    const { projectMembers } = tx.t;
    const before = yield* getMember(tx, projectId, userId);
    yield* keepAManager(tx, projectId, before, null);
    yield* run(
      tx.q
        .delete(projectMembers)
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, before.userId))),
    );
    yield* recordAudit(tx, {
      userId: actorId,
      projectId,
      action: "member.remove",
      target: `user:${before.userId}`,
      details: { username: before.username, role: before.role },
    });
  });
}

/** Member routes; every change is audited in its own transaction. */
export function memberRoutes({ store }: Deps) {
  const app = createRouter();

  app.openapi(listRoute, async (c) => {
    const { project } = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await call(store, listMembers, project.id, c.req.valid("query")), 200);
  });

  app.openapi(addRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const member = await call(store, addMember, access.user.id, access.project.id, c.req.valid("json"));
    return c.json(member, 201);
  });

  app.openapi(patchRoute, async (c) => {
    const { id, userId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    const { role } = c.req.valid("json");
    const member = await call(store, changeMemberRole, access.user.id, access.project.id, userId, role);
    return c.json(member, 200);
  });

  app.openapi(removeRoute, async (c) => {
    const { id, userId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    await call(store, removeMember, access.user.id, access.project.id, userId);
    return c.body(null, 204);
  });

  return app;
}
