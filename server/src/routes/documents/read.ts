import {
  DocumentDto,
  DocumentListDto,
  DocumentParams,
  ListDocumentsQuery,
  ProjectParams,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { documentAccess, projectAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { getDocument } from "../../services/documents";
import { readList } from "../../services/lists";
import { createRouter, json, memberErrors } from "../openapi";

const listRoute = createRoute({
  method: "get",
  path: "/projects/{id}/documents",
  operationId: "listDocuments",
  tags: ["documents"],
  summary: "A page of the project's documents (annotators: the ones assigned to them)",
  request: { params: ProjectParams, query: ListDocumentsQuery },
  responses: { 200: json(DocumentListDto, "The page; `total` counts every match"), ...memberErrors },
});
const getRoute = createRoute({
  method: "get",
  path: "/documents/{id}",
  operationId: "getDocument",
  tags: ["documents"],
  summary: "One document with its exact text",
  request: { params: DocumentParams },
  responses: { 200: json(DocumentDto, "The document"), ...memberErrors },
});

/** GET /projects/:id/documents (any member; annotators: their assigned ones) and GET /documents/:id. */
export function readRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(listRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await readList(deps, "documents", access, c.req.valid("query")), 200);
  });

  app.openapi(getRoute, async (c) => {
    const access = await call(store, documentAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await call(store, getDocument, access), 200);
  });

  return app;
}
