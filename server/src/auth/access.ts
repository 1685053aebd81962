import type { ProjectRole, UserDto } from "@gloss/shared";
import type { Db } from "../db/client";
import type { documents, projects } from "../db/schema";
import { forbidden, notFound, unauthorized } from "../errors";
import { authStatements } from "./statements";

export type ProjectRow = typeof projects.$inferSelect;
export type DocumentRow = typeof documents.$inferSelect;

export interface ProjectAccess {
  user: UserDto;
  role: ProjectRole;
  project: ProjectRow;
}

/** The caller's role in a project, or null when they are not a member (admins count as "admin"). */
export function roleIn(db: Db, user: UserDto, projectId: number): ProjectRole | null {
  const m = authStatements(db).role.get({ projectId, userId: user.id });
  if (m) return m.role;
  return user.isAdmin ? "admin" : null;
}

/**
 * Loads a project for a caller. A project the caller may not see is reported as 404 exactly like one
 * that does not exist, so its existence never leaks.
 */
export function projectAccess(db: Db, user: UserDto | null, projectId: number): ProjectAccess {
  if (!user) throw unauthorized();
  if (!Number.isSafeInteger(projectId) || projectId < 1) throw notFound("No such project");
  const project = authStatements(db).project.get({ id: projectId });
  const role = project ? roleIn(db, user, projectId) : null;
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
export function documentAccess(db: Db, user: UserDto | null, documentId: number): DocumentAccess {
  if (!user) throw unauthorized();
  if (!Number.isSafeInteger(documentId) || documentId < 1) throw notFound("No such document");
  const q = authStatements(db);
  const document = q.document.get({ id: documentId });
  if (!document) throw notFound("No such document");
  const role = roleIn(db, user, document.projectId);
  if (!role) throw notFound("No such document");
  if (role === "annotator") {
    const a = q.assigned.get({ documentId, userId: user.id });
    if (!a) throw notFound("No such document");
  }
  const project = q.project.get({ id: document.projectId })!;
  return { user, role, project, document };
}
