import { type CollabLimits, DEFAULT_COLLAB_LIMITS } from "@gloss/shared";

export type { CollabLimits } from "@gloss/shared";

/**
 * The limits of one collaboration server: the shared defaults with this instance's overrides. The object is
 * live (read at each use), so a test can tighten a limit on a running server.
 */
export function resolveLimits(overrides: Partial<CollabLimits> = {}): CollabLimits {
  const limits: CollabLimits = { ...DEFAULT_COLLAB_LIMITS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof CollabLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new Error(`collab limit ${key} must be a number ≥ 0`);
    limits[key] = value;
  }
  return limits;
}
