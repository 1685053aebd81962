/**
 * The largest row id (users, projects, documents, labels, tokens…): PostgreSQL's `integer`, the narrower of
 * the two databases' id columns. A larger number names nothing — in a path, a socket's room, a layer name
 * or a layer record — and is refused as such before it reaches a query.
 */
export const MAX_ID = 2_147_483_647;

/** A whole number that can be a row id (1…MAX_ID). */
export const isRowId = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;

/** Layers: `user-<id>` (an annotator's own layer), `shared` (the team's), `gold` (adjudicated). */
export type LayerName = `user-${number}` | "shared" | "gold";

const LAYER_RE = /^(?:user-[1-9][0-9]{0,9}|shared|gold)$/;

/** True for a well-formed layer name (a `user-<id>` one with a row id). */
export const isLayerName = (s: string): s is LayerName =>
  LAYER_RE.test(s) && (!s.startsWith("user-") || Number(s.slice(5)) <= MAX_ID);
/** The personal layer of a user. */
export const userLayer = (userId: number): LayerName => `user-${userId}`;
/** The user id of a `user-<id>` layer, or null. */
export const layerUserId = (layer: string): number | null =>
  layer.startsWith("user-") && isLayerName(layer) ? Number(layer.slice(5)) : null;

/** Room name of a (document, layer). */
export const roomName = (documentId: number, layer: LayerName) => `doc/${documentId}/${layer}`;

/** Parses `doc/<documentId>/<layer>`; null when malformed. */
export function parseRoomName(room: string): { documentId: number; layer: LayerName } | null {
  const m = /^doc\/([1-9][0-9]{0,9})\/([a-z0-9-]+)$/.exec(room);
  if (!m || !isLayerName(m[2]!) || Number(m[1]) > MAX_ID) return null;
  return { documentId: Number(m[1]), layer: m[2] as LayerName };
}

/** Path prefix of the collaboration socket: `/collab/doc/<documentId>/<layer>`. */
export const COLLAB_PATH_PREFIX = "/collab/";
