import { Hono } from "hono";
import type { AppEnv, Deps } from "../../context";
import { labelRoutes } from "./labels";
import { memberRoutes } from "./members";
import { projectCrudRoutes } from "./projects";

/** Projects, their members and their labels (mounted by createApp under /api). */
export function projectRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.route("/", projectCrudRoutes(deps));
  app.route("/", memberRoutes(deps));
  app.route("/", labelRoutes(deps));
  return app;
}
