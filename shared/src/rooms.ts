/** Layers: `user-<id>` (an annotator's own layer), `shared` (the team's), `gold` (adjudicated). */
export type LayerName = `user-${number}` | "shared" | "gold";

const LAYER_RE = /^(?:user-[1-9][0-9]{0,15}|shared|gold)$/;

/** True for a well-formed layer name. */
export const isLayerName = (s: string): s is LayerName => LAYER_RE.test(s);
/** The personal layer of a user. */
export const userLayer = (userId: number): LayerName => `user-${userId}`;
/** The user id of a `user-<id>` layer, or null. */
export const layerUserId = (layer: string): number | null =>
  layer.startsWith("user-") && isLayerName(layer) ? Number(layer.slice(5)) : null;

/** Room name of a (document, layer). */
export const roomName = (documentId: number, layer: LayerName) => `doc/${documentId}/${layer}`;

/** Parses `doc/<documentId>/<layer>`; null when malformed. */
export function parseRoomName(room: string): { documentId: number; layer: LayerName } | null {
  const m = /^doc\/([1-9][0-9]{0,15})\/([a-z0-9-]+)$/.exec(room);
  if (!m || !isLayerName(m[2]!)) return null;
  return { documentId: Number(m[1]), layer: m[2] as LayerName };
}

/** Path prefix of the collaboration socket: `/collab/doc/<documentId>/<layer>`. */
export const COLLAB_PATH_PREFIX = "/collab/";
