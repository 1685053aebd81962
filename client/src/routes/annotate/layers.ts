/** Which layer the annotation view opens, and what the layer picker offers. Pure, so it is unit-tested. */
import {
  canCurate,
  isLayerName,
  type LayerName,
  type LayerPermission,
  layerPermission,
  layerUserId,
  type ProjectMode,
  type ProjectRole,
  userLayer,
} from "@gloss/shared";
import type { LayerInfo } from "../../api/endpoints";

/** The layer a user works in: `shared` in shared mode, their own `user-<id>` otherwise. */
export const ownLayer = (mode: ProjectMode, userId: number): LayerName =>
  mode === "shared" ? "shared" : userLayer(userId);

/** The requested layer when the user may at least read it, else their own. */
export function chooseLayer(
  requested: string | null,
  role: ProjectRole,
  mode: ProjectMode,
  userId: number,
): { layer: LayerName; permission: LayerPermission } {
  if (requested && isLayerName(requested)) {
    const permission = layerPermission(role, mode, userId, requested);
    if (permission !== "none") return { layer: requested, permission };
  }
  const layer = ownLayer(mode, userId);
  return { layer, permission: layerPermission(role, mode, userId, layer) };
}

export interface LayerOption {
  layer: LayerName;
  label: string;
  permission: LayerPermission;
}

/**
 * The picker's options for curators and managers: their own layer first, then the listed layers
 * (annotators' layers by name), `gold` last; each with what the user may do in it, and its span count and
 * status when the server listed them.
 */
export function layerOptions(opts: {
  listed: ReadonlyArray<LayerInfo | string>;
  role: ProjectRole;
  mode: ProjectMode;
  userId: number;
  names: ReadonlyMap<number, string>;
}): LayerOption[] {
  const { role, mode, userId, names } = opts;
  const infos = new Map<string, LayerInfo>();
  const order: string[] = [ownLayer(mode, userId)];
  for (const l of opts.listed) {
    const info = typeof l === "string" ? { layer: l } : l;
    const prev = infos.get(info.layer);
    // the server's entry (with counts) wins over a bare name
    if (!prev || (info.spans !== undefined && prev.spans === undefined))
      infos.set(info.layer, { ...prev, ...info });
    if (info.layer !== "gold") order.push(info.layer);
  }
  if (canCurate(role)) order.push("gold");
  const seen = new Set<string>();
  const out: LayerOption[] = [];
  for (const layer of order) {
    if (!isLayerName(layer) || seen.has(layer)) continue;
    const permission = layerPermission(role, mode, userId, layer);
    if (permission === "none") continue;
    seen.add(layer);
    const info = infos.get(layer);
    const hint = info?.user?.displayName || info?.user?.username || info?.username;
    let label = layerLabel(layer, userId, names, hint);
    if (info?.spans !== undefined) label += ` — ${info.spans === 1 ? "1 span" : `${info.spans} spans`}`;
    if (info?.status === "done") label += ", done";
    out.push({ layer, label, permission });
  }
  return out;
}

/** "My layer", "Shared layer", "Gold", or the owner's name. */
export function layerLabel(
  layer: LayerName,
  userId: number,
  names: ReadonlyMap<number, string>,
  hint?: string | null,
): string {
  if (layer === "shared") return "Shared layer";
  if (layer === "gold") return "Gold (adjudicated)";
  const owner = layerUserId(layer);
  if (owner === userId) return "My layer";
  return `${(owner != null ? names.get(owner) : null) ?? hint ?? layer}'s layer`;
}
