/**
 * Assignments: explicit and balanced automatic assignment, removal, the project's list, the annotator's
 * queue, and the annotator's own status. Generators over the store (db/store.ts), the same on SQLite and
 * PostgreSQL.
 */
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
import { all, containsText, type Gen, get, getWith, inIds, type Store, transaction } from "../db/store";
import { badRequest, notFound } from "../errors";
import { recordAudit } from "./audit";

/** Most pairs one explicit request may create or remove (documents × users). */
export const MAX_ASSIGNMENT_PAIRS = 200_000;

/** Pairs per multi-row insert on PostgreSQL (two parameters each). */
const INSERT_PAIRS = 5_000;

const unique = (ids: number[]) => [...new Set(ids)];

/** The ids in `ids` that are not among the rows `found`. */
function missing(ids: number[], found: Array<{ id: number }>): number[] {
  const have = new Set(found.map((r) => r.id));
  return ids.filter((id) => !have.has(id));
}

function* checkIds(
  store: Store,
  projectId: number,
  documentIds: number[],
  userIds: number[] | null,
): Gen<void> {
  const { documents, projectMembers } = store.t;
  const docs = missing(
    documentIds,
    yield* all(
      store.q
        .select({ id: documents.id })
        .from(documents)
        .where(and(eq(documents.projectId, projectId), inIds(store, documents.id, documentIds))),
    ),
  );
  const users = userIds
    ? missing(
        userIds,
        yield* all(
          store.q
            .select({ id: projectMembers.userId })
            .from(projectMembers)
            .where(
              and(eq(projectMembers.projectId, projectId), inIds(store, projectMembers.userId, userIds)),
            ),
        ),
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

interface Pair {
  documentId: number;
  userId: number;
}

/**
 * Inserts (document, user) pairs, leaving those that exist alone; says which were new, in order. SQLite:
 * one prepared insert per pair (inside the caller's transaction, synchronous); PostgreSQL: multi-row
 * inserts, one round trip per few thousand pairs.
 */
function* insertPairs(tx: Store, pairs: Pair[]): Gen<boolean[]> {
  const { assignments } = tx.t;
  if (tx.dialect === "sqlite") {
    // the hot path (up to 200,000 pairs): better-sqlite3's own answer says whether the row was new
    const insert = tx.q
      .insert(assignments)
      .values({ documentId: sql.placeholder("documentId"), userId: sql.placeholder("userId") })
      .onConflictDoNothing()
      .prepare();
    return pairs.map((pair) => insert.run({ ...pair }).changes === 1);
  }
  const key = (p: Pair) => `${p.documentId}:${p.userId}`;
  const made = new Set<string>();
  for (let i = 0; i < pairs.length; i += INSERT_PAIRS) {
    for (const row of yield* all(
      tx.q
        .insert(assignments)
        .values(pairs.slice(i, i + INSERT_PAIRS))
        .onConflictDoNothing()
        .returning({ documentId: assignments.documentId, userId: assignments.userId }),
    ))
      made.add(key(row));
  }
  return pairs.map((p) => made.has(key(p)));
}

/** The columns of an assignment as the API shows it. */
const assignmentColumns = (store: Store) => ({
  documentId: store.t.assignments.documentId,
  userId: store.t.assignments.userId,
  status: store.t.assignments.status,
});

/**
 * Assigns every listed document to every listed user (project members of any role). Pairs that exist
 * already are left alone; returns the assignments created.
 */
export function* assignExplicit(
  store: Store,
  access: ProjectAccess,
  documentIds: number[],
  userIds: number[],
): Gen<AssignmentDto[]> {
  const docs = unique(documentIds);
  const users = unique(userIds);
  yield* checkIds(store, access.project.id, docs, users);
  return yield* transaction(function* (tx) {
    const pairs: Pair[] = [];
    for (const documentId of docs) for (const userId of users) pairs.push({ documentId, userId });
    const made = yield* insertPairs(tx, pairs);
    const created: AssignmentDto[] = pairs
      .filter((_, i) => made[i])
      .map((p) => ({ documentId: p.documentId, userId: p.userId, status: "todo" }));
    yield* recordAudit(tx, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "assignments.create",
      details: { mode: "explicit", documents: docs.length, users: users.length, created: created.length },
    });
    return created;
  });
}

/**
 * Gives every document of the project to `perDocument` annotators (default: the project's setting).
 * Existing assignments to current members count towards N and are never duplicated, so running it again
 * creates nothing. Each missing slot goes to the annotator with the fewest assignments in the project
 * (ties: lowest user id), which keeps loads within one of each other when starting from equal loads.
 */
export function* assignAuto(
  _store: Store,
  access: ProjectAccess,
  perDocument?: number,
): Gen<AssignmentDto[]> {
  const projectId = access.project.id;
  const n = perDocument ?? access.project.annotatorsPerDocument;
  return yield* transaction(function* (tx) {
    const { assignments, documents, projectMembers } = tx.t;
    const annotators = (yield* all(
      tx.q
        .select({ id: projectMembers.userId })
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, "annotator")))
        .orderBy(asc(projectMembers.userId)),
    )).map((r) => r.id);
    if (annotators.length === 0) throw badRequest("The project has no annotators to assign documents to");
    if (n > annotators.length) {
      throw badRequest(
        `perDocument is ${n} but the project has ${annotators.length} annotator(s): add annotators or lower perDocument`,
      );
    }
    const load = new Map<number, number>(annotators.map((id) => [id, 0]));
    const assignedTo = new Map<number, Set<number>>();
    const existing = yield* all(
      tx.q
        .select({ documentId: assignments.documentId, userId: assignments.userId })
        .from(assignments)
        .innerJoin(documents, eq(documents.id, assignments.documentId))
        // only current members count: a removed member's leftover assignment does not fill a slot
        .innerJoin(
          projectMembers,
          and(
            eq(projectMembers.projectId, documents.projectId),
            eq(projectMembers.userId, assignments.userId),
          ),
        )
        .where(eq(documents.projectId, projectId)),
    );
    for (const a of existing) {
      if (load.has(a.userId)) load.set(a.userId, load.get(a.userId)! + 1);
      const set = assignedTo.get(a.documentId) ?? new Set<number>();
      set.add(a.userId);
      assignedTo.set(a.documentId, set);
    }
    const documentIds = yield* all(
      tx.q
        .select({ id: documents.id })
        .from(documents)
        .where(eq(documents.projectId, projectId))
        .orderBy(asc(documents.id)),
    );
    // every slot is planned first (the plan never depends on an insert), then inserted
    const created: AssignmentDto[] = [];
    for (const { id: documentId } of documentIds) {
      const have = assignedTo.get(documentId) ?? new Set<number>();
      for (let need = n - have.size; need > 0; need--) {
        let best: number | null = null;
        for (const id of annotators) {
          if (!have.has(id) && (best === null || load.get(id)! < load.get(best)!)) best = id;
        }
        if (best === null) break;
        have.add(best);
        load.set(best, load.get(best)! + 1);
        created.push({ documentId, userId: best, status: "todo" });
      }
    }
    yield* insertPairs(
      tx,
      created.map((a) => ({ documentId: a.documentId, userId: a.userId })),
    );
    yield* recordAudit(tx, {
      userId: access.user.id,
      projectId,
      action: "assignments.create",
      details: { mode: "auto", perDocument: n, created: created.length },
    });
    return created;
  });
}

/** `q` found in the document's name (case-insensitive), or no condition. */
const nameHas = (store: Store, q: string | undefined): SQL | undefined =>
  q ? containsText(store, store.t.documents.name, q) : undefined;

/**
 * A page of the project's assignments (annotators: only their own), by document then user, filtered by
 * status, user and `q` in the document's name; `total` counts every match.
 */
export function* listAssignments(
  store: Store,
  access: ProjectAccess,
  query: ListAssignmentsQuery,
): Gen<AssignmentPageDto> {
  const { assignments, documents } = store.t;
  const own = access.role === "annotator";
  const where = and(
    eq(documents.projectId, access.project.id),
    own ? eq(assignments.userId, access.user.id) : undefined,
    query.userId !== undefined ? eq(assignments.userId, query.userId) : undefined,
    query.status ? eq(assignments.status, query.status) : undefined,
    nameHas(store, query.q),
  );
  const total = (yield* get(
    store.q
      .select({ n: count() })
      .from(assignments)
      .innerJoin(documents, eq(documents.id, assignments.documentId))
      .where(where),
  ))!.n;
  const rows = yield* all(
    store.q
      .select(assignmentColumns(store))
      .from(assignments)
      .innerJoin(documents, eq(documents.id, assignments.documentId))
      .where(where)
      .orderBy(asc(assignments.documentId), asc(assignments.userId))
      .limit(query.limit)
      .offset(query.offset),
  );
  return { assignments: rows, total };
}

/** Removes the listed document × user pairs; returns what was removed. */
export function* removeAssignments(
  store: Store,
  access: ProjectAccess,
  documentIds: number[],
  userIds: number[],
): Gen<AssignmentDto[]> {
  const docs = unique(documentIds);
  const users = unique(userIds);
  // users are not checked for membership: a former member's assignments must stay removable
  yield* checkIds(store, access.project.id, docs, null);
  if (docs.length * users.length > MAX_ASSIGNMENT_PAIRS) {
    throw badRequest(`At most ${MAX_ASSIGNMENT_PAIRS} document × user pairs per request`);
  }
  return yield* transaction(function* (tx) {
    const { assignments } = tx.t;
    const removed: AssignmentDto[] = [];
    if (tx.dialect === "sqlite") {
      // one prepared delete per pair, synchronous inside the transaction
      const remove = tx.q
        .delete(assignments)
        .where(
          and(
            eq(assignments.documentId, sql.placeholder("documentId")),
            eq(assignments.userId, sql.placeholder("userId")),
          ),
        )
        .returning(assignmentColumns(tx))
        .prepare();
      for (const documentId of docs) {
        for (const userId of users) {
          const row = yield* getWith(remove, { documentId, userId });
          if (row) removed.push(row);
        }
      }
    } else if (docs.length && users.length) {
      // the whole documents × users product in one delete, answered in the order of the pairs
      const rows = yield* all(
        tx.q
          .delete(assignments)
          .where(and(inIds(tx, assignments.documentId, docs), inIds(tx, assignments.userId, users)))
          .returning(assignmentColumns(tx)),
      );
      const docAt = new Map(docs.map((id, i) => [id, i]));
      const userAt = new Map(users.map((id, i) => [id, i]));
      rows.sort(
        (a, b) =>
          docAt.get(a.documentId)! - docAt.get(b.documentId)! ||
          userAt.get(a.userId)! - userAt.get(b.userId)!,
      );
      removed.push(...rows);
    }
    yield* recordAudit(tx, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "assignments.delete",
      details: { documents: docs.length, users: users.length, removed: removed.length },
    });
    return removed;
  });
}

/**
 * A page of the caller's own assignments in the project, in document order, filtered by status and `q` in
 * the document's name; with the count of matches, the count not done and the next one to work on (the
 * first not done in the whole queue, whatever the filters).
 */
export function* queueOf(store: Store, access: ProjectAccess, query: QueueQuery): Gen<QueueDto> {
  const { assignments, documents } = store.t;
  const mine = and(eq(documents.projectId, access.project.id), eq(assignments.userId, access.user.id));
  const where = and(
    mine,
    query.status ? eq(assignments.status, query.status) : undefined,
    nameHas(store, query.q),
  );
  // the filters' total and the queue's remaining work in one pass over the caller's assignments
  const filtered = and(
    query.status ? eq(assignments.status, query.status) : undefined,
    nameHas(store, query.q),
  );
  // a CASE, not sum(condition): PostgreSQL has no sum of booleans; its sum is a bigint (a string)
  const flag = (cond: SQL | undefined) =>
    sql<number>`coalesce(sum(case when ${cond ?? sql`1 = 1`} then 1 else 0 end), 0)`.mapWith(Number);
  const counts = (yield* get(
    store.q
      .select({ total: flag(filtered), remaining: flag(ne(assignments.status, "done")) })
      .from(assignments)
      .innerJoin(documents, eq(documents.id, assignments.documentId))
      .where(mine),
  ))!;
  const { total, remaining } = counts;
  const open = and(mine, ne(assignments.status, "done"));
  const queue = yield* all(
    store.q
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
      .offset(query.offset),
  );
  const next = yield* get(
    store.q
      .select({ id: assignments.documentId })
      .from(assignments)
      .innerJoin(documents, eq(documents.id, assignments.documentId))
      .where(open)
      .orderBy(asc(documents.id))
      .limit(1),
  );
  return { queue, total, remaining, next: next?.id ?? null };
}

/** Sets the status of the caller's own assignment on a document (404 when they have none). */
export function* setOwnStatus(
  store: Store,
  access: DocumentAccess,
  status: AssignmentStatus,
): Gen<AssignmentDto> {
  const { assignments } = store.t;
  const row = yield* get(
    store.q
      .update(assignments)
      .set({ status, updatedAt: Date.now() })
      .where(and(eq(assignments.documentId, access.document.id), eq(assignments.userId, access.user.id)))
      .returning(assignmentColumns(store)),
  );
  if (!row) throw notFound("You have no assignment for this document");
  return row;
}
