import type { Deps } from "../../context";
import { createRouter } from "../openapi";
import { inviteRoutes } from "./invites";
import { sessionRoutes } from "./session";
import { userRoutes } from "./users";

/** Accounts: /auth/register|login|logout|me|session, invite links and the admin's /users. */
export function authRoutes(deps: Deps) {
  const app = createRouter();
  app.route("/", sessionRoutes(deps));
  app.route("/", userRoutes(deps));
  app.route("/", inviteRoutes(deps));
  return app;
}
