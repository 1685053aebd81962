import type { Config } from "../env";

/**
 * Same-origin check for cookie-authenticated state changes and WebSocket upgrades (no CSRF, no
 * cross-site WebSocket hijacking). Allowed: an Origin equal to the request's own scheme+host, or one
 * listed in GLOSS_ORIGINS. A missing Origin is refused for cookie requests (browsers always send it on
 * cross-origin POSTs and on WebSocket handshakes).
 */
export function isAllowedOrigin(
  origin: string | null | undefined,
  host: string | null | undefined,
  config: Pick<Config, "origins">,
): boolean {
  if (!origin || origin === "null") return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (config.origins?.includes(parsed.origin)) return true;
  return !!host && parsed.host === host;
}
