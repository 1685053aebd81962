/** Invite links: who one is for, and setting one's own password through it (then signed in). */

import { AcceptInviteBody, InviteDto, InviteParams, UserDto } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { createSession, toUserDto } from "../../auth/sessions";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { acceptInvite, findInvite } from "../../services/invites";
import { createRouter, errors, json, jsonBody, readJson } from "../openapi";
import { setSessionCookie } from "./cookie";

const getInviteRoute = createRoute({
  method: "get",
  path: "/auth/invites/{token}",
  operationId: "getInvite",
  tags: ["auth"],
  summary: "Whom a valid invite link is for",
  security: [],
  request: { params: InviteParams },
  responses: { 200: json(InviteDto, "The invite"), 400: errors[400], 404: errors[404] },
});
const acceptInviteRoute = createRoute({
  method: "post",
  path: "/auth/invites/{token}",
  operationId: "acceptInvite",
  tags: ["auth"],
  summary: "Set your password through an invite link (once) and sign in",
  security: [],
  middleware: readJson(),
  request: { params: InviteParams, ...jsonBody(AcceptInviteBody) },
  responses: { 200: json(UserDto, "Signed in"), 400: errors[400], 404: errors[404] },
});

/** GET/POST /auth/invites/{token}. */
export function inviteRoutes({ store, config, log }: Deps) {
  const app = createRouter();

  app.openapi(getInviteRoute, async (c) => {
    const { user, expiresAt } = await call(store, findInvite, c.req.valid("param").token);
    return c.json({ username: user.username, displayName: user.displayName, expiresAt }, 200);
  });

  app.openapi(acceptInviteRoute, async (c) => {
    const user = await acceptInvite(store, c.req.valid("param").token, c.req.valid("json").password);
    const session = await call(store, createSession, user.id);
    setSessionCookie(c, config, session.value, session.expiresAt);
    log.info("invite accepted", { userId: user.id });
    return c.json(toUserDto(user), 200);
  });

  return app;
}
