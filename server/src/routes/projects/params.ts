import type { Context } from "hono";

/**
 * A numeric path parameter: digits only, so "0x1", "1e3" or " 1" never read as an id. Anything else
 * gives NaN, which the access checks report as "not found".
 */
export function idParam(c: Context, name: string): number {
  const raw = c.req.param(name) ?? "";
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
}
