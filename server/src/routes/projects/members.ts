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
import type { Db } from "../../db/client";
import { containsText } from "../../db/query";
import { projectMembers, users } from "../../db/schema";
import { call, callSync, sqliteStore } from "../../db/store";
import { HttpError, notFound } from "../../errors";
import { audit } from "../../services/audit";
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

const memberColumns = {
  userId: users.id,
  username: users.username,
  displayName: users.displayName,
  role: projectMembers.role,
};

/** A page of the project's members by username, filtered by role and `q` in the username or display name. */
function listMembers(db: Db, projectId: number, query: ListMembersQuery): MemberListDto {
  const where = and(
    eq(projectMembers.projectId, projectId),
    query.role ? eq(projectMembers.role, query.role) : undefined,
    query.q ? or(containsText(users.username, query.q), containsText(users.displayName, query.q)) : undefined,
  );
  const total = db
    .select({ n: count() })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(where)
    .get()!.n;
  const members = db
    .select(memberColumns)
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(where)
    .orderBy(asc(users.username), asc(users.id))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  return { members, total };
}

/** One member, if `userId` is one. */
function findMember(db: Db, projectId: number, userId: number): MemberDto | undefined {
  return db
    .select(memberColumns)
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .get();
}

function getMember(db: Db, projectId: number, userId: number): MemberDto {
  const m = findMember(db, projectId, userId);
  if (!m) throw notFound("No such member in this project");
  return m;
}

/** 409 when `member` is the project's only manager and is about to stop being one. */
function keepAManager(db: Db, projectId: number, member: MemberDto, nextRole: Role | null): void {
  if (member.role !== "manager" || nextRole === "manager") return;
  const managers =
    db
      .select({ n: count() })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, "manager")))
      .get()?.n ?? 0;
  if (managers <= 1) {
    throw new HttpError(
      409,
      "last_manager",
      `${member.username} is the project's last manager: make someone else a manager first`,
    );
  }
}

/** Member routes; every change is audited in its own transaction. */
export function memberRoutes({ db }: Deps) {
  const app = createRouter();
  const store = sqliteStore(db);

  app.openapi(listRoute, async (c) => {
    const { project } = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json(listMembers(db, project.id, c.req.valid("query")), 200);
  });

  app.openapi(addRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const body = c.req.valid("json");
    const projectId = access.project.id;
    const member = db.transaction(() => {
      const user = callSync(db, findUserByUsername, body.username);
      if (!user) {
        throw new HttpError(404, "user_not_found", `No user named '${body.username}'`, { field: "username" });
      }
      const already = findMember(db, projectId, user.id);
      if (already) {
        throw new HttpError(409, "already_member", `${user.username} is already a ${already.role} here`, {
          role: already.role,
        });
      }
      db.insert(projectMembers).values({ projectId, userId: user.id, role: body.role }).run();
      audit(db, {
        userId: access.user.id,
        projectId,
        action: "member.add",
        target: `user:${user.id}`,
        details: { username: user.username, role: body.role },
      });
      return getMember(db, projectId, user.id);
    });
    return c.json(member, 201);
  });

  app.openapi(patchRoute, async (c) => {
    const { id, userId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    const { role } = c.req.valid("json");
    const projectId = access.project.id;
    const member = db.transaction(() => {
      const before = getMember(db, projectId, userId);
      keepAManager(db, projectId, before, role);
      db.update(projectMembers)
        .set({ role })
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, before.userId)))
        .run();
      audit(db, {
        userId: access.user.id,
        projectId,
        action: "member.role",
        target: `user:${before.userId}`,
        details: { username: before.username, from: before.role, to: role },
      });
      return { ...before, role };
    });
    return c.json(member, 200);
  });

  app.openapi(removeRoute, async (c) => {
    const { id, userId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    const projectId = access.project.id;
    db.transaction(() => {
      const before = getMember(db, projectId, userId);
      keepAManager(db, projectId, before, null);
      db.delete(projectMembers)
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, before.userId)))
        .run();
      audit(db, {
        userId: access.user.id,
        projectId,
        action: "member.remove",
        target: `user:${before.userId}`,
        details: { username: before.username, role: before.role },
      });
    });
    return c.body(null, 204);
  });

  return app;
}
