/** The curation routes' `?offsets=` parameter (the response shapes are in services/curation/dto.ts). */
import type { OffsetUnit } from "@gloss/shared";
import type { Context } from "hono";
import { badRequest } from "../../errors";

/** Reads `?offsets=` (default code points); anything else is a 400 naming the parameter. */
export function offsetsParam(c: Context): OffsetUnit {
  const v = c.req.query("offsets");
  if (v === undefined || v === "" || v === "codepoint" || v === "codepoints") return "codepoint";
  if (v === "utf16") return "utf16";
  throw badRequest(`offsets: expected "codepoint" or "utf16", got ${JSON.stringify(v)}`, { path: "offsets" });
}
