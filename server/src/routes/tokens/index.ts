import { Hono } from "hono";
import type { AppEnv, Deps } from "../../context";

/** Routes under construction: mounted by createApp. */
export function tokenRoutes(_deps: Deps) {
  const app = new Hono<AppEnv>();
  return app;
}
