import type { AssignmentDto, AssignmentStatus, QueueDto, QueueItemDto } from "@gloss/shared";
import type { DocumentAccess, ProjectAccess } from "../auth/access";
import type { Db } from "../db/client";
import { badRequest, notFound } from "../errors";
import { audit } from "./audit";

/** Most pairs one explicit request may create or remove (documents × users). */
export const MAX_ASSIGNMENT_PAIRS = 200_000;

const unique = (ids: number[]) => [...new Set(ids)];

/** Ids in `ids` that the query (taking a JSON array of ids) does not return. */
function missing(db: Db, sql: string, projectId: number, ids: number[]): number[] {
  const found = new Set(
    db.$client.prepare<[number, string], number>(sql).pluck().all(projectId, JSON.stringify(ids)),
  );
  return ids.filter((id) => !found.has(id));
}

function checkIds(db: Db, projectId: number, documentIds: number[], userIds: number[] | null) {
  const docs = missing(
    db,
    "SELECT id FROM documents WHERE project_id = ? AND id IN (SELECT value FROM json_each(?))",
    projectId,
    documentIds,
  );
  const users = userIds
    ? missing(
        db,
        "SELECT user_id FROM project_members WHERE project_id = ? AND user_id IN (SELECT value FROM json_each(?))",
        projectId,
        userIds,
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
  const insert = db.$client.prepare<[number, number]>(
    "INSERT INTO assignments (document_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
  );
  const created: AssignmentDto[] = [];
  db.$client.transaction(() => {
    for (const documentId of docs) {
      for (const userId of users) {
        if (insert.run(documentId, userId).changes === 1)
          created.push({ documentId, userId, status: "todo" });
      }
    }
    audit(db, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "assignments.create",
      details: { mode: "explicit", documents: docs.length, users: users.length, created: created.length },
    });
  })();
  return created;
}

/**
 * Gives every document of the project to `perDocument` annotators (default: the project's setting).
 * Existing assignments to current members count towards N and are never duplicated, so running it again
 * creates nothing. Each missing slot goes to the annotator with the fewest assignments in the project
 * (ties: lowest user id), which keeps loads within one of each other when starting from equal loads.
 */
export function assignAuto(db: Db, access: ProjectAccess, perDocument?: number): AssignmentDto[] {
  const sqlite = db.$client;
  const projectId = access.project.id;
  const n = perDocument ?? access.project.annotatorsPerDocument;
  const created: AssignmentDto[] = [];
  sqlite.transaction(() => {
    const annotators = sqlite
      .prepare<[number], number>(
        "SELECT user_id FROM project_members WHERE project_id = ? AND role = 'annotator' ORDER BY user_id",
      )
      .pluck()
      .all(projectId);
    if (annotators.length === 0) throw badRequest("The project has no annotators to assign documents to");
    if (n > annotators.length) {
      throw badRequest(
        `perDocument is ${n} but the project has ${annotators.length} annotator(s): add annotators or lower perDocument`,
      );
    }
    const load = new Map<number, number>(annotators.map((id) => [id, 0]));
    const assignedTo = new Map<number, Set<number>>();
    const existing = sqlite
      .prepare<[number], { documentId: number; userId: number }>(
        // only current members count: a removed member's leftover assignment does not fill a slot
        `SELECT a.document_id AS documentId, a.user_id AS userId
         FROM assignments a JOIN documents d ON d.id = a.document_id
         JOIN project_members m ON m.project_id = d.project_id AND m.user_id = a.user_id
         WHERE d.project_id = ?`,
      )
      .all(projectId);
    for (const a of existing) {
      if (load.has(a.userId)) load.set(a.userId, load.get(a.userId)! + 1);
      const set = assignedTo.get(a.documentId) ?? new Set<number>();
      set.add(a.userId);
      assignedTo.set(a.documentId, set);
    }
    const insert = sqlite.prepare<[number, number]>(
      "INSERT INTO assignments (document_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
    );
    const documents = sqlite
      .prepare<[number], number>("SELECT id FROM documents WHERE project_id = ? ORDER BY id")
      .pluck()
      .all(projectId);
    for (const documentId of documents) {
      const have = assignedTo.get(documentId) ?? new Set<number>();
      for (let need = n - have.size; need > 0; need--) {
        let best: number | null = null;
        for (const id of annotators) {
          if (!have.has(id) && (best === null || load.get(id)! < load.get(best)!)) best = id;
        }
        if (best === null) break;
        insert.run(documentId, best);
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
  })();
  return created;
}

/** The project's assignments (annotators: only their own), by document then user. */
export function listAssignments(db: Db, access: ProjectAccess): AssignmentDto[] {
  const own = access.role === "annotator";
  return db.$client
    .prepare<number[], AssignmentDto>(
      `SELECT a.document_id AS documentId, a.user_id AS userId, a.status
       FROM assignments a JOIN documents d ON d.id = a.document_id
       WHERE d.project_id = ?${own ? " AND a.user_id = ?" : ""}
       ORDER BY a.document_id, a.user_id`,
    )
    .all(...(own ? [access.project.id, access.user.id] : [access.project.id]));
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
  const remove = db.$client.prepare<[number, number], AssignmentDto>(
    "DELETE FROM assignments WHERE document_id = ? AND user_id = ? RETURNING document_id AS documentId, user_id AS userId, status",
  );
  const removed: AssignmentDto[] = [];
  db.$client.transaction(() => {
    for (const documentId of docs) {
      for (const userId of users) {
        const row = remove.get(documentId, userId);
        if (row) removed.push(row);
      }
    }
    audit(db, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "assignments.delete",
      details: { documents: docs.length, users: users.length, removed: removed.length },
    });
  })();
  return removed;
}

/** The caller's own assignments in the project, in document order, with the next one to work on. */
export function queueOf(db: Db, access: ProjectAccess): QueueDto {
  const queue = db.$client
    .prepare<[number, number], QueueItemDto>(
      `SELECT a.document_id AS documentId, d.name, a.status, a.updated_at AS updatedAt
       FROM assignments a JOIN documents d ON d.id = a.document_id
       WHERE d.project_id = ? AND a.user_id = ? ORDER BY d.id`,
    )
    .all(access.project.id, access.user.id);
  return { queue, next: queue.find((q) => q.status !== "done")?.documentId ?? null };
}

/** Sets the status of the caller's own assignment on a document (404 when they have none). */
export function setOwnStatus(db: Db, access: DocumentAccess, status: AssignmentStatus): AssignmentDto {
  const row = db.$client
    .prepare<[string, number, number, number], AssignmentDto>(
      `UPDATE assignments SET status = ?, updated_at = ? WHERE document_id = ? AND user_id = ?
       RETURNING document_id AS documentId, user_id AS userId, status`,
    )
    .get(status, Date.now(), access.document.id, access.user.id);
  if (!row) throw notFound("You have no assignment for this document");
  return row;
}
