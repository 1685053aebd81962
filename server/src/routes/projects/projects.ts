/** GET/POST /projects, GET/PATCH /projects/:id. */
import { CreateProjectBody, PatchProjectBody } from "@gloss/shared";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { unauthorized } from "../../errors";
import { createProject, listProjectsFor, projectDto, updateProject } from "../../services/projects";
import { idParam } from "./params";

/** The project resource itself: list, create, read, change settings. */
export function projectCrudRoutes({ db, log }: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/projects", (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    return c.json({ projects: listProjectsFor(db, user) });
  });

  // any signed-in user may start a project; they become its manager
  app.post("/projects", async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const body = CreateProjectBody.parse(await c.req.json());
    const project = createProject(db, user.id, body);
    log.info("project created", { projectId: project.id, by: user.id });
    return c.json(projectDto(db, project, "manager"), 201);
  });

  app.get("/projects/:id", (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    return c.json(projectDto(db, access.project, access.role));
  });

  app.patch("/projects/:id", async (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const body = PatchProjectBody.parse(await c.req.json());
    const project = updateProject(db, access.user.id, access.project, body);
    return c.json(projectDto(db, project, access.role));
  });

  return app;
}
