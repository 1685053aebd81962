import type { Deps } from "../../context";
import { createRouter } from "../openapi";
import { listRoutes } from "./list";
import { relationRoutes } from "./relations";
import { spanRoutes } from "./spans";
import { stateRoutes } from "./state";

/**
 * Server-side access to live layers (mounted by createApp under /api): spans, relations and status are
 * read and written through the room's Y.Doc (collab.withDoc), so connected browsers see a script's or a
 * model's pre-annotations at once. Offsets are Unicode code points unless `?offsets=utf16`.
 */
export function layerRoutes(deps: Deps) {
  const app = createRouter();
  app.route("/", listRoutes(deps));
  app.route("/", spanRoutes(deps));
  app.route("/", relationRoutes(deps));
  app.route("/", stateRoutes(deps));
  return app;
}
