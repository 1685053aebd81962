/** POST /socket-ticket: a single-use, short-lived ticket for one collaboration socket (issue 17). */

import { SocketTicketBody, SocketTicketDto } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { createSocketTicket } from "../../auth/tickets";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { unauthorized } from "../../errors";
import { createRouter, errors, json, jsonBody, readJson } from "../openapi";

const socketTicketRoute = createRoute({
  method: "post",
  path: "/socket-ticket",
  operationId: "createSocketTicket",
  tags: ["auth"],
  summary: "A single-use ticket, valid a few seconds, to open the collaboration socket of one room",
  middleware: readJson(),
  request: jsonBody(SocketTicketBody),
  responses: {
    201: json(SocketTicketDto, "Open `/collab/<room>?ticket=<ticket>` before `expiresAt`"),
    400: errors[400],
    401: errors[401],
  },
});

/**
 * The ticket is bound to the caller's credential (the session or token of this request: signing out or
 * revoking it also ends the socket) and to one room. Whether the caller may open that room is decided at
 * the upgrade, as for any socket, so minting a ticket tells nothing about the room.
 */
export function ticketRoutes({ store, collab }: Deps) {
  const app = createRouter();
  app.openapi(socketTicketRoute, async (c) => {
    const user = c.get("user");
    const credential = c.get("credential");
    if (!user || !credential) throw unauthorized();
    const { room } = c.req.valid("json");
    const ttlMs = collab.limits.socketTicketTtlMs;
    const made = await call(store, createSocketTicket, { userId: user.id, credential, room, ttlMs });
    c.header("Cache-Control", "no-store");
    return c.json({ ticket: made.ticket, room, expiresAt: made.expiresAt }, 201);
  });
  return app;
}
