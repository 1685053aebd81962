import type { Deps } from "../../context";
import { createRouter } from "../openapi";
import { assignmentRoutes } from "./assignments";
import { importRoutes } from "./import";
import { readRoutes } from "./read";

/**
 * Documents, their import, and assignments (mounted under /api by createApp):
 * - POST /projects/:id/documents        import (manager)                      → import.ts
 * - GET  /projects/:id/documents        list (annotators: assigned ones)      → read.ts
 * - GET  /documents/:id                 one document with its exact text      → read.ts
 * - POST|GET|DELETE /projects/:id/assignments, GET /projects/:id/queue,
 *   PATCH /documents/:id/assignment                                           → assignments.ts
 */
export function documentRoutes(deps: Deps) {
  const app = createRouter();
  app.route("/", importRoutes(deps));
  app.route("/", readRoutes(deps));
  app.route("/", assignmentRoutes(deps));
  return app;
}
