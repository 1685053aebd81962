import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { perStore, prepare, type Store } from "../db/store";

/**
 * The queries every request and every socket upgrade runs to learn who is asking and what they may see,
 * prepared once per database (building and preparing them per call cost most of a socket's open time).
 */
function build(store: Store) {
  const p = (name: string) => sql.placeholder(name);
  const { apiTokens, assignments, documents, projectMembers, projects, sessions, users } = store.t;
  const db = store.q;
  return {
    userByToken: prepare(
      store,
      "auth.userByToken",
      db
        .select({ user: users, tokenId: apiTokens.id })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(eq(apiTokens.tokenHash, p("hash")), isNull(apiTokens.revokedAt), isNull(users.disabledAt)),
        ),
    ),
    userByTokenId: prepare(
      store,
      "auth.userByTokenId",
      db
        .select({ user: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.id, p("id")), isNull(apiTokens.revokedAt), isNull(users.disabledAt))),
    ),
    touchToken: prepare(
      store,
      "auth.touchToken",
      db
        .update(apiTokens)
        .set({ lastUsedAt: sql`${p("now")}` })
        .where(eq(apiTokens.id, p("id"))),
    ),
    userBySession: prepare(
      store,
      "auth.userBySession",
      db
        .select({ user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, p("id")), gt(sessions.expiresAt, p("now")), isNull(users.disabledAt))),
    ),
    role: prepare(
      store,
      "auth.role",
      db
        .select({ role: projectMembers.role })
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, p("projectId")), eq(projectMembers.userId, p("userId")))),
    ),
    project: prepare(
      store,
      "auth.project",
      db
        .select()
        .from(projects)
        .where(eq(projects.id, p("id"))),
    ),
    document: prepare(
      store,
      "auth.document",
      db
        .select()
        .from(documents)
        .where(eq(documents.id, p("id"))),
    ),
    assigned: prepare(
      store,
      "auth.assigned",
      db
        .select({ s: assignments.status })
        .from(assignments)
        .where(and(eq(assignments.documentId, p("documentId")), eq(assignments.userId, p("userId")))),
    ),
  };
}

/** The prepared auth queries of a database. */
export const authQueries: (store: Store) => ReturnType<typeof build> = perStore(build);
