/** /projects/:id/labels: list (members), create, edit, reorder, delete (managers). */

import { LabelDto, LabelInput, LabelOrderBody, LabelParams, LabelPatch, ProjectParams } from "@gloss/shared";
import { createRoute, z } from "@hono/zod-openapi";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import {
  createLabel,
  deleteLabel,
  listLabels,
  reorderLabels,
  toLabelDto,
  updateLabel,
} from "../../services/labels";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";

const LabelList = z.object({ labels: z.array(LabelDto) }).meta({ id: "LabelList" });
const managerErrors = { ...memberErrors, 409: errors[409] };

const listRoute = createRoute({
  method: "get",
  path: "/projects/{id}/labels",
  operationId: "listLabels",
  tags: ["labels"],
  summary: "The project's labels, in order (members)",
  request: { params: ProjectParams },
  responses: { 200: json(LabelList, "The labels"), ...memberErrors },
});
const createLabelRoute = createRoute({
  method: "post",
  path: "/projects/{id}/labels",
  operationId: "createLabel",
  tags: ["labels"],
  summary: "Add a label (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(LabelInput) },
  responses: { 201: json(LabelDto, "The label"), ...managerErrors },
});
const orderRoute = createRoute({
  method: "put",
  path: "/projects/{id}/labels/order",
  operationId: "reorderLabels",
  tags: ["labels"],
  summary: "Reorder the labels: every label id, in the new order (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(LabelOrderBody) },
  responses: { 200: json(LabelList, "The labels, in their new order"), ...managerErrors },
});
const patchRoute = createRoute({
  method: "patch",
  path: "/projects/{id}/labels/{labelId}",
  operationId: "updateLabel",
  tags: ["labels"],
  summary: "Change a label (managers)",
  middleware: readJson(),
  request: { params: LabelParams, ...jsonBody(LabelPatch) },
  responses: { 200: json(LabelDto, "The label"), ...managerErrors },
});
const deleteRoute = createRoute({
  method: "delete",
  path: "/projects/{id}/labels/{labelId}",
  operationId: "deleteLabel",
  tags: ["labels"],
  summary: "Delete a label no span uses (managers; 409 when in use)",
  request: { params: LabelParams },
  responses: { 204: { description: "Deleted" }, ...managerErrors },
});

/** Label routes; the rules (uniqueness, order, in-use check) live in services/labels. */
export function labelRoutes({ store }: Deps) {
  const app = createRouter();

  app.openapi(listRoute, async (c) => {
    const { project } = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json({ labels: (await call(store, listLabels, project.id)).map(toLabelDto) }, 200);
  });

  app.openapi(createLabelRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const body = c.req.valid("json");
    return c.json(toLabelDto(await call(store, createLabel, access.user.id, access.project.id, body)), 201);
  });

  // registered before "/{labelId}" routes; different methods, but keep the literal path first for clarity
  app.openapi(orderRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const rows = await call(
      store,
      reorderLabels,
      access.user.id,
      access.project.id,
      c.req.valid("json").order,
    );
    return c.json({ labels: rows.map(toLabelDto) }, 200);
  });

  app.openapi(patchRoute, async (c) => {
    const { id, labelId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    const row = await call(
      store,
      updateLabel,
      access.user.id,
      access.project.id,
      labelId,
      c.req.valid("json"),
    );
    return c.json(toLabelDto(row), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { id, labelId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    await call(store, deleteLabel, access.user.id, access.project.id, labelId);
    return c.body(null, 204);
  });

  return app;
}
