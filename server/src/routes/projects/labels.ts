/** /projects/:id/labels: list (members), create, edit, reorder, delete (managers). */
import { LabelInput, LabelOrderBody, LabelPatch } from "@gloss/shared";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import {
  createLabel,
  deleteLabel,
  listLabels,
  reorderLabels,
  toLabelDto,
  updateLabel,
} from "../../services/labels";
import { idParam } from "./params";

/** Label routes; the rules (uniqueness, order, in-use check) live in services/labels. */
export function labelRoutes({ db }: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/projects/:id/labels", (c) => {
    const { project } = projectAccess(db, c.get("user"), idParam(c, "id"));
    return c.json({ labels: listLabels(db, project.id).map(toLabelDto) });
  });

  app.post("/projects/:id/labels", async (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const body = LabelInput.parse(await c.req.json());
    return c.json(toLabelDto(createLabel(db, access.user.id, access.project.id, body)), 201);
  });

  // registered before "/:labelId" routes; different methods, but keep the literal path first for clarity
  app.put("/projects/:id/labels/order", async (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const body = LabelOrderBody.parse(await c.req.json());
    const rows = reorderLabels(db, access.user.id, access.project.id, body.order);
    return c.json({ labels: rows.map(toLabelDto) });
  });

  app.patch("/projects/:id/labels/:labelId", async (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    const body = LabelPatch.parse(await c.req.json());
    const row = updateLabel(db, access.user.id, access.project.id, idParam(c, "labelId"), body);
    return c.json(toLabelDto(row));
  });

  app.delete("/projects/:id/labels/:labelId", (c) => {
    const access = projectAccess(db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager");
    deleteLabel(db, access.user.id, access.project.id, idParam(c, "labelId"));
    return c.body(null, 204);
  });

  return app;
}
