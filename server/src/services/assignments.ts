import type {
  AssignmentDto,
  AssignmentPageDto,
  AssignmentStatus,
  ListAssignmentsQuery,
  QueueDto,
  QueueQuery,
} from "@gloss/shared";
import { and, asc, count, eq, ne, type SQL, sql } from "drizzle-orm";
import type { DocumentAccess, ProjectAccess } from "../auth/access";
import type { Db } from "../db/client";
import { containsText, inJsonIds } from "../db/query";
import { assignments, documents, projectMembers } from "../db/schema";
import { badRequest, notFound } from "../errors";
import { audit } from "./audit";

/** Most pairs one explicit request may create or remove (documents × users). */
export const MAX_ASSIGNMENT_PAIRS = 200_000;

const unique = (ids: number[]) => [...new Set(ids)];

/** The ids in `ids` that are not among the rows `found`. */
function missing(ids: number[], found: Array<{ id: number }>): number[] {
  const have = new Set(found.map((r) => r.id));
  return ids.filter((id) => !have.has(id));
}

function checkIds(db: Db, projectId: number, documentIds: number[], userIds: number[] | null) {
  const docs = missing(
    documentIds,
    db
      .select({ id: documents.id })
      .from(documents)
      .where(and(eq(documents.projectId, projectId), inJsonIds(documents.id, documentIds)))
      .all(),
  );
  const users = userIds
    ? missing(
        userIds,
        db
          .select({ id: projectMembers.userId })
          .from(projectMembers)
          .where(and(eq(projectMembers.projectId, projectId), inJsonIds(projectMembers.userId, userIds)))
          .all(),
      )
    : [];
  if (docs.length || users.length) {
    const parts = [
      docs.length ? `documents ${docs.join(", ")} are not in this project` : "",
      users.length ? `users ${users.join(", ")} are not members of this project` : "",
    ].filter(Boolean);
    throw badRequest(`Unknown ids: ${parts.join("; ")}`, { documentIds: docs, userIds: users });
  }
  if (userIds && documentIds.length * userIds.length > MAX_ASSIGNMENT_PAIRS) {
    throw badRequest(`At most ${MAX_ASSIGNMENT_PAIRS} document × user pairs per request`);
  }
}

/** The insert of one (document, user) pair, prepared once per request and run for each pair. */
const prepareInsert = (db: Db) =>
  db
    .insert(assignments)
    .values({ documentId: sql.placeholder("documentId"), userId: sql.placeholder("userId") })
    .onConflictDoNothing()
    .prepare();

/** The columns of an assignment as the API shows it. */
const assignmentColumns = {
  documentId: assignments.documentId,
  userId: assignments.userId,
  status: assignments.status,
};

/**
 * Assigns every listed document to every listed user (project members of any role). Pairs that exist
 * already are left alone; returns the assignments created.
 */
export function assignExplicit(
  db: Db,
  access: ProjectAccess,
  documentIds: number[],
  userIds: number[],
): AssignmentDto[] {
  const docs = unique(documentIds);
  const users = unique(userIds);
  checkIds(db, access.project.id, docs, users);
  const insert = prepareInsert(db);
  const created: AssignmentDto[] = [];
  db.transaction(() => {
    for (const documentId of docs) {
      for (const userId of users) {
        if (insert.run({ documentId, userId }).changes === 1)
          created.push({ documentId, userId, status: "todo" });
      }
    }
    audit(db, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "assignments.create",
      details: { mode: "explicit", documents: docs.length, users: users.length, created: created.length },
    });
  });
  return created;
}

/**
 * Gives every document of the project to `perDocument` annotators (default: the project's setting).
 * Existing assignments to current members count towards N and are never duplicated, so running it again
 * creates nothing. Each missing slot goes to the annotator with the fewest assignments in the project
 * (ties: lowest user id), which keeps loads within one of each other when starting from equal loads.
 */
export function assignAuto(db: Db, access: ProjectAccess, perDocument?: number): AssignmentDto[] {
  const projectId = access.project.id;
  const n = perDocument ?? access.project.annotatorsPerDocument;
  const created: AssignmentDto[] = [];
  db.transaction(() => {
    const annotators = db
      .select({ id: projectMembers.userId })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, "annotator")))
      .orderBy(asc(projectMembers.userId))
      .all()
      .map((r) => r.id);
    if (annotators.length === 0) throw badRequest("The project has no annotators to assign documents to");
    if (n > annotators.length) {
      throw badRequest(
        `perDocument is ${n} but the project has ${annotators.length} annotator(s): add annotators or lower perDocument`,
      );
    }
    const load = new Map<number, number>(annotators.map((id) => [id, 0]));
    const assignedTo = new Map<number, Set<number>>();
    const existing = db
      .select({ documentId: assignments.documentId, userId: assignments.userId })
      .from(assignments)
      .innerJoin(documents, eq(documents.id, assignments.documentId))
      // only current members count: a removed member's leftover assignment does not fill a slot
      .innerJoin(
        projectMembers,
        and(eq(projectMembers.projectId, documents.projectId), eq(projectMembers.userId, assignments.userId)),
      )
      .where(eq(documents.projectId, projectId))
      .all();
    for (const a of existing) {
      if (load.has(a.userId)) load.set(a.userId, load.get(a.userId)! + 1);
      const set = assignedTo.get(a.documentId) ?? new Set<number>();
      set.add(a.userId);
      assignedTo.set(a.documentId, set);
    }
    const insert = prepareInsert(db);
    const documentIds = db
      .select({ id: documents.id })
      .from(documents)
      .where(eq(documents.projectId, projectId))
      .orderBy(asc(documents.id))
      .all();
    for (const { id: documentId } of documentIds) {
      const have = assignedTo.get(documentId) ?? new Set<number>();
      for (let need = n - have.size; need > 0; need--) {
        let best: number | null = null;
        for (const id of annotators) {
          if (!have.has(id) && (best === null || load.get(id)! < load.get(best)!)) best = id;
        }
        if (best === null) break;
        insert.run({ documentId, userId: best });
        have.add(best);
        load.set(best, load.get(best)! + 1);
        created.push({ documentId, userId: best, status: "todo" });
      }
    }
    audit(db, {
      userId: access.user.id,
      projectId,
      action: "assignments.create",
      details: { mode: "auto", perDocument: n, created: created.length },
    });
  });
  return created;
}

/** `q` found in the document's name (case-insensitive), or no condition. */
const nameHas = (q: string | undefined): SQL | undefined => (q ? containsText(documents.name, q) : undefined);

/**
 * A page of the project's assignments (annotators: only their own), by document then user, filtered by
 * status, user and `q` in the document's name; `total` counts every match.
 */
export function listAssignments(
  db: Db,
  access: ProjectAccess,
  query: ListAssignmentsQuery,
): AssignmentPageDto {
  const own = access.role === "annotator";
  const where = and(
    eq(documents.projectId, access.project.id),
    own ? eq(assignments.userId, access.user.id) : undefined,
    query.userId !== undefined ? eq(assignments.userId, query.userId) : undefined,
    query.status ? eq(assignments.status, query.status) : undefined,
    nameHas(query.q),
  );
  const total = db
    .select({ n: count() })
    .from(assignments)
    .innerJoin(documents, eq(documents.id, assignments.documentId))
    .where(where)
    .get()!.n;
  const rows = db
    .select(assignmentColumns)
    .from(assignments)
    .innerJoin(documents, eq(documents.id, assignments.documentId))
    .where(where)
    .orderBy(asc(assignments.documentId), asc(assignments.userId))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  return { assignments: rows, total };
}

/** Removes the listed document × user pairs; returns what was removed. */
export function removeAssignments(
  db: Db,
  access: ProjectAccess,
  documentIds: number[],
  userIds: number[],
): AssignmentDto[] {
  const docs = unique(documentIds);
  const users = unique(userIds);
  // users are not checked for membership: a former member's assignments must stay removable
  checkIds(db, access.project.id, docs, null);
  if (docs.length * users.length > MAX_ASSIGNMENT_PAIRS) {
    throw badRequest(`At most ${MAX_ASSIGNMENT_PAIRS} document × user pairs per request`);
  }
  const remove = db
    .delete(assignments)
    .where(
      and(
        eq(assignments.documentId, sql.placeholder("documentId")),
        eq(assignments.userId, sql.placeholder("userId")),
      ),
    )
    .returning(assignmentColumns)
    .prepare();
  const removed: AssignmentDto[] = [];
  db.transaction(() => {
    for (const documentId of docs) {
      for (const userId of users) {
        const row = remove.get({ documentId, userId });
        if (row) removed.push(row);
      }
    }
    audit(db, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "assignments.delete",
      details: { documents: docs.length, users: users.length, removed: removed.length },
    });
  });
  return removed;
}

/**
 * A page of the caller's own assignments in the project, in document order, filtered by status and `q` in
 * the document's name; with the count of matches, the count not done and the next one to work on (the
 * first not done in the whole queue, whatever the filters).
 */
export function queueOf(db: Db, access: ProjectAccess, query: QueueQuery): QueueDto {
  const mine = and(eq(documents.projectId, access.project.id), eq(assignments.userId, access.user.id));
  const where = and(mine, query.status ? eq(assignments.status, query.status) : undefined, nameHas(query.q));
  // the filters' total and the queue's remaining work in one pass over the caller's assignments
  const filtered = and(query.status ? eq(assignments.status, query.status) : undefined, nameHas(query.q));
  const flag = (cond: SQL | undefined) => sql<number>`coalesce(sum(${cond ?? sql`1`}), 0)`.mapWith(Number);
  const counts = db
    .select({ total: flag(filtered), remaining: flag(ne(assignments.status, "done")) })
    .from(assignments)
    .innerJoin(documents, eq(documents.id, assignments.documentId))
    .where(mine)
    .get()!;
  const { total, remaining } = counts;
  const open = and(mine, ne(assignments.status, "done"));
  const queue = db
    .select({
      documentId: assignments.documentId,
      name: documents.name,
      status: assignments.status,
      updatedAt: assignments.updatedAt,
    })
    .from(assignments)
    .innerJoin(documents, eq(documents.id, assignments.documentId))
    .where(where)
    .orderBy(asc(documents.id))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  const next = db
    .select({ id: assignments.documentId })
    .from(assignments)
    .innerJoin(documents, eq(documents.id, assignments.documentId))
    .where(open)
    .orderBy(asc(documents.id))
    .limit(1)
    .get();
  return { queue, total, remaining, next: next?.id ?? null };
}

/** Sets the status of the caller's own assignment on a document (404 when they have none). */
export function setOwnStatus(db: Db, access: DocumentAccess, status: AssignmentStatus): AssignmentDto {
  const row = db
    .update(assignments)
    .set({ status, updatedAt: Date.now() })
    .where(and(eq(assignments.documentId, access.document.id), eq(assignments.userId, access.user.id)))
    .returning(assignmentColumns)
    .get();
  if (!row) throw notFound("You have no assignment for this document");
  return row;
}
