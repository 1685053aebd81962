/**
 * Opening a layer for a REST request: the same authorisation as the socket (authorizeLayer: read for GET,
 * write for the rest), the validation context, and the offset unit the caller speaks.
 */
import { type LayerName, OffsetMap, type OffsetUnit, type UserDto } from "@gloss/shared";
import type { Context } from "hono";
import { authorizeLayer, type LayerGrant, type LayerWriteContext, loadLayerContext } from "../../collab";
import type { AppEnv, Deps } from "../../context";
import { badRequest, forbidden, HttpError, notFound, unauthorized } from "../../errors";

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

const idParam = (raw: string | undefined) =>
  /^[1-9][0-9]{0,15}$/.test(raw ?? "") ? Number(raw) : Number.NaN;

/** `?offsets=`: code points unless `utf16` is asked for. */
export function offsetUnit(raw: string | undefined): OffsetUnit {
  if (raw === undefined || raw === "codepoint" || raw === "codepoints") return "codepoint";
  if (raw === "utf16") return "utf16";
  throw badRequest(`offsets: expected "utf16" or "codepoint", got ${JSON.stringify(raw)}`, {
    field: "offsets",
  });
}

/** Authorises the caller on `/documents/:id/layers/:layer…` and loads what a handler needs. */
export function openLayer(deps: Deps, c: Context<AppEnv>, need: "read" | "write"): OpenLayer {
  const user = c.get("user");
  const documentId = idParam(c.req.param("id"));
  const auth = authorizeLayer(deps.db, user, documentId, c.req.param("layer") ?? "");
  if (!auth.ok) {
    if (auth.status === 401) throw unauthorized();
    if (auth.status === 403) throw forbidden(auth.message);
    throw notFound(auth.message);
  }
  const { grant } = auth;
  if (need === "write" && grant.permission !== "write")
    throw forbidden(`Layer ${grant.layer} is read-only for you`);
  const unit = offsetUnit(c.req.query("offsets"));
  const { document, project } = grant.access;
  return {
    grant,
    user: grant.user,
    documentId,
    layer: grant.layer,
    text: document.text,
    unit,
    offsets: new OffsetMap(document.text),
    ...loadLayerContext(deps.db, document, project),
  };
}

/** A 400 naming the offending field. */
export const fieldError = (field: string, message: string) =>
  new HttpError(400, "invalid_input", `${field}: ${message}`, { field });
