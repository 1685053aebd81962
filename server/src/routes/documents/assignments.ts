import {
  AssignmentDto,
  AssignmentPageDto,
  AssignmentsBody,
  DocumentParams,
  ListAssignmentsQuery,
  PatchAssignmentBody,
  ProjectParams,
  QueueDto,
  QueueQuery,
  RemoveAssignmentsBody,
} from "@gloss/shared";
import { createRoute, z } from "@hono/zod-openapi";
import { documentAccess, projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { assignAuto, assignExplicit, removeAssignments, setOwnStatus } from "../../services/assignments";
import { readList } from "../../services/lists";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";

const AssignmentList = z.object({ assignments: z.array(AssignmentDto) }).meta({ id: "AssignmentList" });

const assignRoute = createRoute({
  method: "post",
  path: "/projects/{id}/assignments",
  operationId: "assignDocuments",
  tags: ["assignments"],
  summary: "Assign documents to annotators, explicitly or automatically (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(AssignmentsBody) },
  responses: { 201: json(AssignmentList, "The assignments made"), ...memberErrors, 409: errors[409] },
});
const listRoute = createRoute({
  method: "get",
  path: "/projects/{id}/assignments",
  operationId: "listAssignments",
  tags: ["assignments"],
  summary: "A page of the project's assignments (annotators: their own)",
  request: { params: ProjectParams, query: ListAssignmentsQuery },
  responses: { 200: json(AssignmentPageDto, "The page; `total` counts every match"), ...memberErrors },
});
const removeRoute = createRoute({
  method: "delete",
  path: "/projects/{id}/assignments",
  operationId: "removeAssignments",
  tags: ["assignments"],
  summary: "Remove assignments (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(RemoveAssignmentsBody) },
  responses: { 200: json(AssignmentList, "The assignments removed"), ...memberErrors, 409: errors[409] },
});
const queueRoute = createRoute({
  method: "get",
  path: "/projects/{id}/queue",
  operationId: "getQueue",
  tags: ["assignments"],
  summary: "A page of the caller's queue in document order, and the document to open next",
  request: { params: ProjectParams, query: QueueQuery },
  responses: { 200: json(QueueDto, "The queue"), ...memberErrors },
});
const ownStatusRoute = createRoute({
  method: "patch",
  path: "/documents/{id}/assignment",
  operationId: "setOwnAssignmentStatus",
  tags: ["assignments"],
  summary: "Set the status of the caller's own assignment of a document",
  middleware: readJson(),
  request: { params: DocumentParams, ...jsonBody(PatchAssignmentBody) },
  responses: { 200: json(AssignmentDto, "The assignment"), ...memberErrors, 409: errors[409] },
});

/** Assignments (manager assigns; everyone sees their own), the annotator's queue, and own status. */
export function assignmentRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(assignRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const body = c.req.valid("json");
    const assignments =
      "auto" in body
        ? await call(store, assignAuto, access, body.auto.perDocument)
        : await call(store, assignExplicit, access, body.documentIds, body.userIds);
    return c.json({ assignments }, 201);
  });

  app.openapi(listRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await readList(deps, "assignments", access, c.req.valid("query")), 200);
  });

  app.openapi(removeRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const { documentIds, userIds } = c.req.valid("json");
    return c.json({ assignments: await call(store, removeAssignments, access, documentIds, userIds) }, 200);
  });

  app.openapi(queueRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await readList(deps, "queue", access, c.req.valid("query")), 200);
  });

  app.openapi(ownStatusRoute, async (c) => {
    const access = await call(store, documentAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await call(store, setOwnStatus, access, c.req.valid("json").status), 200);
  });

  return app;
}
