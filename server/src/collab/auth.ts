/**
 * Who may open which layer: one rule for the socket and the REST span routes.
 *
 * The socket is authenticated on the upgrade request, before any Y.Doc exists (STYLE 7): a single-use
 * `?ticket=` from `POST /api/socket-ticket` (what the browser uses), a session cookie, or an
 * `Authorization: Bearer` API token (scripts). An API token in the URL (`?token=`) is refused: URLs end up
 * in proxy and access logs (issue 17). The Origin check stops cross-site WebSocket hijacking: a present
 * Origin must be ours; a cookie without an Origin is refused (browsers always send one on a handshake);
 * a bearer token or a ticket without an Origin is a script and is allowed.
 */
import type { IncomingMessage } from "node:http";
import {
  CloseCode,
  COLLAB_PATH_PREFIX,
  isLayerName,
  type LayerName,
  type LayerPermission,
  layerPermission,
  layerUserId,
  parseRoomName,
  roomName,
  type UserDto,
} from "@gloss/shared";
import { and, eq, sql } from "drizzle-orm";
import { type DocumentAccess, documentAccess } from "../auth/access";
import { isAllowedOrigin } from "../auth/origin";
import { type CredentialRef, resolveCredential, resolveUser } from "../auth/sessions";
import { consumeSocketTicket } from "../auth/tickets";
import { type Gen, getWith, perStore, prepare, type Store } from "../db/store";
import type { Config } from "../env";
import { HttpError } from "../errors";

/** What an authorised caller may do in one (document, layer). */
export interface LayerGrant {
  user: UserDto;
  access: DocumentAccess;
  documentId: number;
  projectId: number;
  layer: LayerName;
  room: string;
  permission: Exclude<LayerPermission, "none">;
  /** What the role alone allows, before a lock narrows it (a locked layer's owner may still reopen it). */
  rolePermission: Exclude<LayerPermission, "none">;
  /** Why a layer the caller could write is read-only now: marked done, or its document's curation is done. */
  lock: LayerLock | null;
  /** The credential a socket was opened with, re-checked when rights change; null for in-process grants. */
  credential: CredentialRef | null;
}

export type LayerLock = "layer-done" | "curation-done";

export type LayerAuth =
  | { ok: true; grant: LayerGrant }
  | { ok: false; status: 401 | 403 | 404; message: string };

/** Prepared once per database: every upgrade and every re-authorisation of an open socket runs them. */
const statements = perStore((store) => {
  const p = (name: string) => sql.placeholder(name);
  const one = { x: sql`1` };
  const db = store.q;
  const { assignments, curations, layerStates, projectMembers, yjsSnapshots, yjsUpdates } = store.t;
  return {
    layerStatus: prepare(
      store,
      "collab.layerStatus",
      db
        .select({ status: layerStates.status })
        .from(layerStates)
        .where(and(eq(layerStates.documentId, p("documentId")), eq(layerStates.layer, p("layer")))),
    ),
    curationStatus: prepare(
      store,
      "collab.curationStatus",
      db
        .select({ status: curations.status })
        .from(curations)
        .where(eq(curations.documentId, p("documentId"))),
    ),
    /** Any trace of a user's layer: membership, an assignment, or stored Yjs data. */
    layerOwner: prepare(
      store,
      "collab.layerOwner",
      db
        .select(one)
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, p("projectId")), eq(projectMembers.userId, p("ownerId"))))
        .unionAll(
          db
            .select(one)
            .from(assignments)
            .where(and(eq(assignments.documentId, p("documentId")), eq(assignments.userId, p("ownerId")))),
        )
        .unionAll(
          db
            .select(one)
            .from(yjsSnapshots)
            .where(eq(yjsSnapshots.room, p("room"))),
        )
        .unionAll(
          db
            .select(one)
            .from(yjsUpdates)
            .where(eq(yjsUpdates.room, p("room"))),
        )
        .limit(1),
    ),
  };
});

/**
 * Finished work is read-only (INCEpTION's document states): an annotator layer marked done, until its owner
 * or a manager reopens it; every annotator layer (and shared) of a document whose curation is done.
 * Gold stays writable for curators.
 */
function* layerLock(store: Store, documentId: number, layer: LayerName): Gen<LayerLock | null> {
  if (layer === "gold") return null;
  const s = statements(store);
  if ((yield* getWith(s.curationStatus, { documentId }))?.status === "done") return "curation-done";
  if ((yield* getWith(s.layerStatus, { documentId, layer }))?.status === "done") return "layer-done";
  return null;
}

/** True when a `user-<id>` layer exists for this document: the owner is the caller, a member, assigned, or has stored data. */
function* userLayerExists(store: Store, access: DocumentAccess, ownerId: number, room: string): Gen<boolean> {
  if (ownerId === access.user.id) return true;
  const trace = { projectId: access.project.id, ownerId, documentId: access.document.id, room };
  return (yield* getWith(statements(store).layerOwner, trace)) !== undefined;
}

/**
 * Decides a caller's permission on a layer: documentAccess (annotators only see assigned documents,
 * non-members get 404) then layerPermission. "none" is 403; an unknown document or layer is 404.
 */
export function* authorizeLayer(
  store: Store,
  user: UserDto | null,
  documentId: number,
  layer: string,
): Gen<LayerAuth> {
  if (!user) return { ok: false, status: 401, message: "Sign in first" };
  if (!isLayerName(layer)) return { ok: false, status: 404, message: `No layer ${JSON.stringify(layer)}` };
  let access: DocumentAccess;
  try {
    access = yield* documentAccess(store, user, documentId);
  } catch (err) {
    if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 404))
      return { ok: false, status: err.status, message: err.message };
    throw err;
  }
  const room = roomName(documentId, layer);
  const owner = layerUserId(layer);
  if (owner !== null && !(yield* userLayerExists(store, access, owner, room)))
    return { ok: false, status: 404, message: `No layer ${layer} in document ${documentId}` };
  const rolePermission = layerPermission(access.role, access.project.mode, user.id, layer);
  if (rolePermission === "none")
    return { ok: false, status: 403, message: `You may not open layer ${layer}` };
  const lock = rolePermission === "write" ? yield* layerLock(store, documentId, layer) : null;
  return {
    ok: true,
    grant: {
      user,
      access,
      documentId,
      projectId: access.project.id,
      layer,
      room,
      permission: lock ? "read" : rolePermission,
      rolePermission,
      lock,
      credential: null,
    },
  };
}

/**
 * Decides a grant again from the database (membership, role, assignment, layer and curation state) and,
 * for a socket, from its credential (session signed out or expired, token revoked): what an open
 * connection may do now.
 */
export function* reauthorizeGrant(
  store: Store,
  grant: Pick<LayerGrant, "user" | "credential" | "documentId" | "layer">,
): Gen<LayerAuth> {
  let user: UserDto | null = grant.user;
  if (grant.credential !== null) user = yield* resolveCredential(store, grant.credential);
  if (!user) return { ok: false, status: 401, message: "Signed out" };
  const auth = yield* authorizeLayer(store, user, grant.documentId, grant.layer);
  if (auth.ok) auth.grant.credential = grant.credential;
  return auth;
}

export type UpgradeDecision = { ok: true; grant: LayerGrant } | { ok: false; code: number; reason: string };

export const CLOSE_BY_STATUS = {
  401: CloseCode.Unauthorized,
  403: CloseCode.Forbidden,
  404: CloseCode.NotFound,
} as const;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Authenticates and authorises a WebSocket upgrade on `/collab/doc/<documentId>/<layer>` from its headers. */
export function* authorizeUpgrade(
  store: Store,
  config: Pick<Config, "origins">,
  req: IncomingMessage,
): Gen<UpgradeDecision> {
  const url = new URL(req.url ?? "/", "http://upgrade.invalid");
  const parsed = url.pathname.startsWith(COLLAB_PATH_PREFIX)
    ? parseRoomName(url.pathname.slice(COLLAB_PATH_PREFIX.length))
    : null;
  if (!parsed) return { ok: false, code: CloseCode.NotFound, reason: "no such room" };
  const origin = header(req, "origin");
  if (origin !== undefined && !isAllowedOrigin(origin, header(req, "host"), config))
    return { ok: false, code: CloseCode.Forbidden, reason: "cross-origin socket refused" };
  if (url.searchParams.has("token"))
    return {
      ok: false,
      code: CloseCode.Unauthorized,
      reason: "no API token in a URL: use a header or a ticket",
    };
  const ticket = url.searchParams.get("ticket");
  const resolved =
    ticket !== null
      ? yield* ticketUser(store, ticket, roomName(parsed.documentId, parsed.layer))
      : yield* resolveUser(store, {
          cookie: header(req, "cookie"),
          authorization: header(req, "authorization"),
        });
  if (!resolved) return { ok: false, code: CloseCode.Unauthorized, reason: "sign in first" };
  if (resolved.via === "cookie" && origin === undefined)
    return { ok: false, code: CloseCode.Forbidden, reason: "a cookie-authenticated socket needs an Origin" };
  const auth = yield* authorizeLayer(store, resolved.user, parsed.documentId, parsed.layer);
  if (!auth.ok) return { ok: false, code: CLOSE_BY_STATUS[auth.status], reason: auth.message.slice(0, 100) };
  auth.grant.credential = resolved.credential;
  return auth;
}

/** The caller a socket ticket stands for (consumed, whatever the outcome), as `resolveUser` answers. */
function* ticketUser(store: Store, ticket: string, room: string) {
  const consumed = yield* consumeSocketTicket(store, ticket, room);
  return consumed ? { user: consumed.user, via: "ticket" as const, credential: consumed.credential } : null;
}
