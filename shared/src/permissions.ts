import type { ProjectMode, Role } from "./api";
import { type LayerName, layerUserId } from "./rooms";

/** A caller's standing in a project: their role, or "admin" for an instance administrator who is not a member. */
export type ProjectRole = Role | "admin";
export type LayerPermission = "write" | "read" | "none";

/**
 * Who may read or write a layer (the same rule for the socket and the REST span routes):
 * - your own `user-<id>` layer: write;
 * - `shared`: every member writes in shared mode; in independent mode curators/managers read, annotators nothing;
 * - `gold`: curators, managers and admins write; annotators nothing;
 * - someone else's `user-<id>` layer: curators, managers and admins read; annotators nothing (they work blind).
 */
export function layerPermission(
  role: ProjectRole,
  mode: ProjectMode,
  userId: number,
  layer: LayerName,
): LayerPermission {
  const oversees = role !== "annotator";
  if (layer === "gold") return oversees ? "write" : "none";
  if (layer === "shared") return mode === "shared" ? "write" : oversees ? "read" : "none";
  const owner = layerUserId(layer);
  if (owner === userId) return "write";
  return oversees ? "read" : "none";
}

/** Roles allowed to manage the project (settings, labels, members, documents, assignments). */
export const canManage = (role: ProjectRole) => role === "manager" || role === "admin";
/** Roles allowed to read every layer and adjudicate. */
export const canCurate = (role: ProjectRole) => role !== "annotator";
