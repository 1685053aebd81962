import type { Deps } from "../../context";
import { createRouter } from "../openapi";
import { labelRoutes } from "./labels";
import { memberRoutes } from "./members";
import { projectCrudRoutes } from "./projects";

/** Projects, their members and their labels (mounted by createApp under /api). */
export function projectRoutes(deps: Deps) {
  const app = createRouter();
  app.route("/", projectCrudRoutes(deps));
  app.route("/", memberRoutes(deps));
  app.route("/", labelRoutes(deps));
  return app;
}
