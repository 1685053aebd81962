/**
 * Opening a layer for a REST request: the same authorisation as the socket (authorizeLayer: read for GET,
 * write for the rest), the validation context, and the offset unit the caller speaks (`?offsets=`,
 * validated by the route's OffsetsQuery).
 */
import { canManage, type LayerName, OffsetMap, type OffsetUnit, type UserDto } from "@gloss/shared";
import type * as Y from "yjs";
import { authorizeLayer, type LayerGrant, type LayerWriteContext, layerContext } from "../../collab";
import type { CollabLimits } from "../../collab/limits";
import { quotaRefusal } from "../../collab/validate";
import type { Gen, Store } from "../../db/store";
import { conflict, forbidden, HttpError, notFound, unauthorized } from "../../errors";

export interface OpenLayer extends LayerWriteContext {
  grant: LayerGrant;
  user: UserDto;
  documentId: number;
  layer: LayerName;
  text: string;
  unit: OffsetUnit;
  offsets: OffsetMap;
}

/** Transaction origin of REST writes (anything that is not a connection is broadcast to everyone). */
export const REST_ORIGIN = Symbol("gloss:rest");

/** Which layer a request names, and in which unit it speaks (the route's validated params and query). */
export interface LayerRequest {
  user: UserDto | null;
  params: { id: number; layer: string };
  unit: OffsetUnit;
}

/**
 * Authorises the caller on `/documents/:id/layers/:layer…` and loads what a handler needs. `status`: may
 * mark the layer done or reopen it — its writer (even while it is locked) or a manager. Routes
 * `await call(store, openLayer, req, need)`.
 */
export function* openLayer(
  store: Store,
  req: LayerRequest,
  need: "read" | "write" | "status",
): Gen<OpenLayer> {
  const { user, unit } = req;
  const documentId = req.params.id;
  const auth = yield* authorizeLayer(store, user, documentId, req.params.layer);
  if (!auth.ok) {
    if (auth.status === 401) throw unauthorized();
    if (auth.status === 403) throw forbidden(auth.message);
    throw notFound(auth.message);
  }
  const { grant } = auth;
  if (need === "write" && grant.lock === "layer-done")
    throw conflict(`Layer ${grant.layer} is marked done: reopen it first`, { lock: grant.lock });
  if (need === "write" && grant.lock === "curation-done")
    throw conflict(
      `Curation of document ${documentId} is done: its layers are read-only until it is reopened`,
      {
        lock: grant.lock,
      },
    );
  if (need === "write" && grant.permission !== "write")
    throw forbidden(`Layer ${grant.layer} is read-only for you`);
  if (need === "status") {
    if (grant.rolePermission !== "write" && !canManage(grant.access.role))
      throw forbidden(`Only the layer's annotator or a manager may change the status of ${grant.layer}`);
    if (grant.lock === "curation-done")
      throw conflict(`Curation of document ${documentId} is done: reopen curation before reopening a layer`, {
        lock: grant.lock,
      });
  }
  const { document, project } = grant.access;
  const context = yield* layerContext(store, document, project);
  return {
    grant,
    user: grant.user,
    documentId,
    layer: grant.layer,
    text: document.text,
    unit,
    offsets: new OffsetMap(document.text),
    ...context,
  };
}

/** A 400 naming the offending field. */
export const fieldError = (field: string, message: string) =>
  new HttpError(400, "invalid_input", `${field}: ${message}`, { field });

/**
 * Refuses a REST write that would pass the layer's quota (spans, relations, bytes: `maxLayerBytes` and the
 * counts of the collaboration limits) with 409 quota_exceeded naming the limit, before it touches the doc
 * (a server-side write that broke the layer after the fact would fail the room). Returns undefined, so a
 * caller writes `assertQuota(…) ?? write()`. `bytes`: an upper bound of what the write adds.
 */
export function assertQuota(
  doc: Y.Doc,
  limits: CollabLimits,
  added: { spans?: number; relations?: number; bytes: number },
): undefined {
  const refused = quotaRefusal(doc, limits, added);
  if (refused)
    throw new HttpError(409, "quota_exceeded", `Refused: ${refused.message}`, {
      limit: refused.limit,
      max: refused.max,
    });
  return undefined;
}
