import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Config } from "../env";
import { limitOf } from "./limits";
import { tooLarge } from "./upload";

/**
 * The import routes: they read their body with the upload reader (./upload), which bounds it while it
 * streams at the route's own, larger limits (GLOSS_MAX_UPLOAD_BYTES, GLOSS_MAX_JSON_IMPORT_BYTES,
 * GLOSS_MAX_ANNOTATION_IMPORT_BYTES) and names the file in its 413.
 */
const UPLOAD_ROUTES = [
  /^\/api\/projects\/[^/]+\/documents\/?$/,
  /^\/api\/projects\/[^/]+\/annotations\/import\/?$/,
];

/**
 * One body limit for the whole API: every request body but an import's is bounded by
 * GLOSS_MAX_BODY_BYTES while it streams (hono/body-limit: a declared Content-Length over the limit is
 * refused unread, a chunked body is counted as it arrives and refused the moment it passes the limit).
 */
export function bodyLimits(config: Config): MiddlewareHandler {
  const limit = limitOf(config, "maxBodyBytes");
  const ordinary = bodyLimit({
    maxSize: limit.max,
    onError: () => {
      throw tooLarge("The request body", limit);
    },
  });
  return (c, next) =>
    c.req.method === "POST" && UPLOAD_ROUTES.some((r) => r.test(c.req.path)) ? next() : ordinary(c, next);
}
