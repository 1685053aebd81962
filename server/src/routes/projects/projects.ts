/** GET/POST /projects, GET/PATCH /projects/:id. */

import {
  CreateProjectBody,
  ListProjectsQuery,
  PatchProjectBody,
  ProjectDto,
  ProjectListDto,
  ProjectParams,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { unauthorized } from "../../errors";
import { createProject, listProjectsFor, projectDto, updateProject } from "../../services/projects";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";

const listRoute = createRoute({
  method: "get",
  path: "/projects",
  operationId: "listProjects",
  tags: ["projects"],
  summary:
    "A page of the projects the caller is a member of (every project for an instance admin), newest first, with progress figures",
  request: { query: ListProjectsQuery },
  responses: {
    200: json(ProjectListDto, "A page of projects and the count of every match"),
    400: errors[400],
    401: errors[401],
  },
});
const createProjectRoute = createRoute({
  method: "post",
  path: "/projects",
  operationId: "createProject",
  tags: ["projects"],
  summary: "Start a project (any signed-in user; they become its manager)",
  middleware: readJson(),
  request: jsonBody(CreateProjectBody),
  responses: {
    201: json(ProjectDto, "The project"),
    400: errors[400],
    401: errors[401],
    409: errors[409],
  },
});
const getRoute = createRoute({
  method: "get",
  path: "/projects/{id}",
  operationId: "getProject",
  tags: ["projects"],
  summary: "One project with its labels and the caller's role",
  request: { params: ProjectParams },
  responses: { 200: json(ProjectDto, "The project"), ...memberErrors },
});
const patchRoute = createRoute({
  method: "patch",
  path: "/projects/{id}",
  operationId: "updateProject",
  tags: ["projects"],
  summary: "Change a project's settings (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(PatchProjectBody) },
  responses: { 200: json(ProjectDto, "The project"), ...memberErrors, 409: errors[409] },
});

/** The project resource itself: list, create, read, change settings. */
export function projectCrudRoutes({ store, log }: Deps) {
  const app = createRouter();

  app.openapi(listRoute, async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    return c.json(await call(store, listProjectsFor, user, c.req.valid("query")), 200);
  });

  // any signed-in user may start a project; they become its manager
  app.openapi(createProjectRoute, async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const body = c.req.valid("json");
    const project = await call(store, createProject, user.id, body);
    log.info("project created", { projectId: project.id, by: user.id });
    return c.json(await call(store, projectDto, project, "manager"), 201);
  });

  app.openapi(getRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await call(store, projectDto, access.project, access.role), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const project = await call(store, updateProject, access.user.id, access.project, c.req.valid("json"));
    return c.json(await call(store, projectDto, project, access.role), 200);
  });

  return app;
}
