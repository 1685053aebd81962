import { AssignmentsBody, PatchAssignmentBody, RemoveAssignmentsBody } from "@gloss/shared";
import { Hono } from "hono";
import { documentAccess, projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import {
  assignAuto,
  assignExplicit,
  listAssignments,
  queueOf,
  removeAssignments,
  setOwnStatus,
} from "../../services/assignments";
import { idParam } from "./params";

/** Assignments (manager assigns; everyone sees their own), the annotator's queue, and own status. */
export function assignmentRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const project = (c: { get(k: "user"): AppEnv["Variables"]["user"] }, id: string) =>
    projectAccess(deps.db, c.get("user"), idParam(id));

  app.post("/projects/:id/assignments", async (c) => {
    const access = project(c, c.req.param("id"));
    requireRole(access, "manager");
    const body = AssignmentsBody.parse(await c.req.json());
    const assignments =
      "auto" in body
        ? assignAuto(deps.db, access, body.auto.perDocument)
        : assignExplicit(deps.db, access, body.documentIds, body.userIds);
    return c.json({ assignments }, 201);
  });

  app.get("/projects/:id/assignments", (c) => {
    const access = project(c, c.req.param("id"));
    return c.json({ assignments: listAssignments(deps.db, access) });
  });

  app.delete("/projects/:id/assignments", async (c) => {
    const access = project(c, c.req.param("id"));
    requireRole(access, "manager");
    const body = RemoveAssignmentsBody.parse(await c.req.json());
    return c.json({ assignments: removeAssignments(deps.db, access, body.documentIds, body.userIds) });
  });

  app.get("/projects/:id/queue", (c) => {
    const access = project(c, c.req.param("id"));
    return c.json(queueOf(deps.db, access));
  });

  app.patch("/documents/:id/assignment", async (c) => {
    const access = documentAccess(deps.db, c.get("user"), idParam(c.req.param("id")));
    const { status } = PatchAssignmentBody.parse(await c.req.json());
    return c.json(setOwnStatus(deps.db, access, status));
  });

  return app;
}
