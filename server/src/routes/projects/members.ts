/**
 * /projects/:id/members: list (members), add, change role, remove (managers). A project always keeps at
 * least one manager: removing or demoting the last one is refused (409), or nobody could manage it.
 */
import { AddMemberBody, type MemberDto, PatchMemberBody, type Role } from "@gloss/shared";
import { and, asc, count, eq } from "drizzle-orm";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import type { Db } from "../../db/client";
import { projectMembers, users } from "../../db/schema";
import { HttpError, notFound } from "../../errors";
import { audit } from "../../services/audit";
import { findUserByUsername } from "../../services/users";
import { idParam } from "./params";

function listMembers(db: Db, projectId: number): MemberDto[] {
  return db
    .select({
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
      role: projectMembers.role,
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(asc(users.username))
    .all();
}

function getMember(db: Db, projectId: number, userId: number): MemberDto {
  const m = Number.isSafeInteger(userId)
    ? listMembers(db, projectId).find((x) => x.userId === userId)
    : undefined;
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
  const app = new Hono<AppEnv>();

  app.get("/projects/:id/members", (c) => {
    const { project } = projectAccess(db, c.get("user"), idParam(c, "id"));
    return c.json({ members: listMembers(db, project.id) });
  });

  app.post("/projects/:id/members", async (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const body = AddMemberBody.parse(await c.req.json());
    const projectId = access.project.id;
    const member = db.transaction(() => {
      const user = findUserByUsername(db, body.username);
      if (!user) {
        throw new HttpError(404, "user_not_found", `No user named '${body.username}'`, { field: "username" });
      }
      const already = listMembers(db, projectId).find((m) => m.userId === user.id);
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

  app.patch("/projects/:id/members/:userId", async (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const { role } = PatchMemberBody.parse(await c.req.json());
    const projectId = access.project.id;
    const member = db.transaction(() => {
      const before = getMember(db, projectId, idParam(c, "userId"));
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
    return c.json(member);
  });

  app.delete("/projects/:id/members/:userId", (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const projectId = access.project.id;
    db.transaction(() => {
      const before = getMember(db, projectId, idParam(c, "userId"));
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
