/**
 * Which open sockets a successful write request may have changed the rights of. Applied by one middleware
 * after every state-changing /api request, so no route has to remember to: membership, roles, assignments,
 * layer and curation states, labels (the rooms' validation rules), tokens, sessions, accounts. Content
 * writes (spans, relations, curation decisions) change no rights and are skipped: they are the frequent ones.
 */
import type { RightsScope } from "./collab";

const CONTENT_WRITE =
  /^\/api\/documents\/\d+\/(layers\/[^/]+\/(spans|relations)|curation\/(decisions|auto-merge)|suggestions)(\/|$)/;
const DOCUMENT = /^\/api\/documents\/(\d+)(\/|$)/;
const PROJECT = /^\/api\/projects\/(\d+)(\/|$)/;
const OWN_CREDENTIALS = /^\/api\/(auth|tokens)(\/|$)/;

/** The scope of a write to `path` by `userId`; null when it cannot change anyone's rights. */
export function rightsScopeOf(path: string, userId: number | null): RightsScope | null {
  if (CONTENT_WRITE.test(path)) return null;
  if (path === "/api/socket-ticket") return null; // minting a ticket changes nobody's rights
  const doc = DOCUMENT.exec(path);
  if (doc) return { documentId: Number(doc[1]) };
  const project = PROJECT.exec(path);
  if (project) return { projectId: Number(project[1]) };
  if (path === "/api/projects") return null; // a new project has no sockets yet
  if (OWN_CREDENTIALS.test(path)) return userId === null ? null : { userId };
  return {}; // anything else (administration): everyone
}

/**
 * Requests that read the projection (agreement, exports, curation, layer and document listings, queues):
 * they must see every edit the server has accepted, so the app flushes the pending projection before
 * them — one place, so no handler has to remember to.
 */
const FRESH_READ =
  /^\/api\/(projects\/\d+\/(agreement|export|curation|documents|assignments|queue)|documents\/\d+\/(curation|layers|suggestions))(\/|$)/;

export const readsProjection = (path: string): boolean => FRESH_READ.test(path);
