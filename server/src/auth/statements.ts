import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { perDb } from "../db/query";
import { apiTokens, assignments, documents, projectMembers, projects, sessions, users } from "../db/schema";

/**
 * The queries every request and every socket upgrade runs to learn who is asking and what they may see,
 * prepared once per database (building and preparing them per call cost most of a socket's open time).
 */
function prepare(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    userByToken: db
      .select({ user: users, tokenId: apiTokens.id })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(and(eq(apiTokens.tokenHash, p("hash")), isNull(apiTokens.revokedAt)))
      .prepare(),
    userByTokenId: db
      .select({ user: users })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(and(eq(apiTokens.id, p("id")), isNull(apiTokens.revokedAt)))
      .prepare(),
    touchToken: db
      .update(apiTokens)
      .set({ lastUsedAt: sql`${p("now")}` })
      .where(eq(apiTokens.id, p("id")))
      .prepare(),
    userBySession: db
      .select({ user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, p("id")), gt(sessions.expiresAt, p("now"))))
      .prepare(),
    role: db
      .select({ role: projectMembers.role })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, p("projectId")), eq(projectMembers.userId, p("userId"))))
      .prepare(),
    project: db
      .select()
      .from(projects)
      .where(eq(projects.id, p("id")))
      .prepare(),
    document: db
      .select()
      .from(documents)
      .where(eq(documents.id, p("id")))
      .prepare(),
    assigned: db
      .select({ s: assignments.status })
      .from(assignments)
      .where(and(eq(assignments.documentId, p("documentId")), eq(assignments.userId, p("userId"))))
      .prepare(),
  };
}

/** The prepared auth statements of a database. */
export const authStatements: (db: Db) => ReturnType<typeof prepare> = perDb(prepare);
