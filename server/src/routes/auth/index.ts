import { Hono } from "hono";
import type { AppEnv, Deps } from "../../context";
import { sessionRoutes } from "./session";
import { userRoutes } from "./users";

/** Accounts: /auth/register|login|logout|me and the admin's /users. */
export function authRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.route("/", sessionRoutes(deps));
  app.route("/", userRoutes(deps));
  return app;
}
