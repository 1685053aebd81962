import { ListDocumentsQuery } from "@gloss/shared";
import { Hono } from "hono";
import { documentAccess, projectAccess } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { getDocument, listDocuments } from "../../services/documents";
import { idParam } from "./params";

/** GET /projects/:id/documents (any member; annotators: their assigned ones) and GET /documents/:id. */
export function readRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/projects/:id/documents", (c) => {
    const access = projectAccess(deps.db, c.get("user"), idParam(c.req.param("id")));
    const query = ListDocumentsQuery.parse(c.req.query());
    return c.json(listDocuments(deps.db, access, query));
  });

  app.get("/documents/:id", (c) => {
    const access = documentAccess(deps.db, c.get("user"), idParam(c.req.param("id")));
    return c.json(getDocument(deps.db, access));
  });

  return app;
}
