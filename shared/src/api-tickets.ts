/**
 * POST /api/socket-ticket: a single-use ticket for opening one collaboration socket (issue 17). The browser
 * asks for one before every connection and opens `/collab/<room>?ticket=…`, so no long-lived secret ever
 * sits in a socket URL (where proxies and access logs keep it).
 */
import { z } from "zod";
import { parseRoomName } from "./rooms";

export const SocketTicketBody = z.object({
  room: z
    .string()
    .max(200)
    .refine((r) => parseRoomName(r) !== null, "a room name: doc/<documentId>/<layer>"),
});
export type SocketTicketBody = z.infer<typeof SocketTicketBody>;

export const SocketTicketDto = z
  .object({
    /** Opens one socket to `room` as the caller, once, until `expiresAt` (ms since the epoch). */
    ticket: z.string(),
    room: z.string(),
    expiresAt: z.number(),
  })
  .meta({ id: "SocketTicket" });
export type SocketTicketDto = z.infer<typeof SocketTicketDto>;
