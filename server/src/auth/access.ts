import { isRowId, type ProjectRole, type UserDto } from "@gloss/shared";
import type { documents, projects } from "../db/schema";
import { type Gen, getWith, type Store } from "../db/store";
import { forbidden, notFound, unauthorized } from "../errors";
import { authQueries } from "./statements";

export type ProjectRow = typeof projects.$inferSelect;
export type DocumentRow = typeof documents.$inferSelect;

export interface ProjectAccess {
  user: UserDto;
  role: ProjectRole;
  project: ProjectRow;
}

/** The caller's role in a project, or null when they are not a member (admins count as "admin"). */
export function* roleIn(store: Store, user: UserDto, projectId: number): Gen<ProjectRole | null> {
  const m = yield* getWith(authQueries(store).role, { projectId, userId: user.id });
  if (m) return m.role;
  return user.isAdmin ? "admin" : null;
}

/**
 * Loads a project for a caller. A project the caller may not see is reported as 404 exactly like one
 * that does not exist, so its existence never leaks.
 */
export function* projectAccess(store: Store, user: UserDto | null, projectId: number): Gen<ProjectAccess> {
  if (!user) throw unauthorized();
  if (!isRowId(projectId)) throw notFound("No such project");
  const project = yield* getWith(authQueries(store).project, { id: projectId });
  const role = project ? yield* roleIn(store, user, projectId) : null;
  if (!project || !role) throw notFound("No such project");
  return { user, role, project };
}

/** Throws 403 unless the caller has one of `roles` ("admin" always passes). */
export function requireRole(access: ProjectAccess, ...roles: ProjectRole[]): void {
  if (access.role === "admin" || roles.includes(access.role)) return;
  throw forbidden(`This needs the ${roles.join(" or ")} role in the project`);
}

export interface DocumentAccess extends ProjectAccess {
  document: DocumentRow;
}

/**
 * Loads a document for a caller: members of its project who are curators, managers or admins see every
 * document; annotators see the documents assigned to them. Anything else is 404.
 */
export function* documentAccess(store: Store, user: UserDto | null, documentId: number): Gen<DocumentAccess> {
  if (!user) throw unauthorized();
  if (!isRowId(documentId)) throw notFound("No such document");
  const q = authQueries(store);
  const document = yield* getWith(q.document, { id: documentId });
  if (!document) throw notFound("No such document");
  const role = yield* roleIn(store, user, document.projectId);
  if (!role) throw notFound("No such document");
  if (role === "annotator") {
    const a = yield* getWith(q.assigned, { documentId, userId: user.id });
    if (!a) throw notFound("No such document");
  }
  const project = (yield* getWith(q.project, { id: document.projectId }))!;
  return { user, role, project, document };
}
