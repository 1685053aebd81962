/**
 * Single-use socket tickets (issue 17: no long-lived secret in a URL). A WebSocket in a browser cannot set
 * headers, and a `?token=` on the socket URL ends up in proxy and access logs; so an authenticated caller
 * asks `POST /api/socket-ticket` for a ticket bound to itself and one room, valid a few seconds, and opens
 * the socket with `?ticket=`. A logged ticket is worthless: it was consumed by the upgrade it was made for,
 * or it has expired.
 *
 * Tickets live in the database (`socket_tickets`), not in one process's memory, so a ticket minted by one
 * server opens a socket on another (PostgreSQL + Redis deployments, no sticky sessions). Single use is one
 * atomic `DELETE … RETURNING`: of two upgrades racing with the same ticket, on one server or two, exactly
 * one gets the row back. Only the ticket's sha256 is stored.
 */
import { randomBytes } from "node:crypto";
import type { UserDto } from "@gloss/shared";
import { and, eq, gt, lt } from "drizzle-orm";
import { type Gen, get, run, type Store } from "../db/store";
import { type CredentialRef, resolveCredential, sha256 } from "./sessions";

/** A ticket's prefix, so a leaked one is recognisable (and never mistaken for an API token). */
export const TICKET_PREFIX = "gtk_";

/** Mints a ticket for `room` on behalf of `credential` (the caller's session or token); returns it once. */
export function* createSocketTicket(
  store: Store,
  opts: { userId: number; credential: CredentialRef; room: string; ttlMs: number },
): Gen<{ ticket: string; expiresAt: number }> {
  const { socketTickets } = store.t;
  const now = Date.now();
  // Expired tickets are garbage: whoever mints one sweeps them (indexed; a handful at most).
  yield* run(store.q.delete(socketTickets).where(lt(socketTickets.expiresAt, now)));
  const ticket = TICKET_PREFIX + randomBytes(24).toString("base64url");
  const expiresAt = now + opts.ttlMs;
  yield* run(
    store.q.insert(socketTickets).values({
      id: sha256(ticket),
      userId: opts.userId,
      credential: opts.credential,
      room: opts.room,
      expiresAt,
    }),
  );
  return { ticket, expiresAt };
}

/**
 * Consumes a ticket for `room`: the credential it was minted with when it was valid, unexpired and for this
 * room, and that credential still holds (not signed out, not revoked); null otherwise. Either way the ticket
 * is gone afterwards — a ticket presented for the wrong room is burnt too.
 */
export function* consumeSocketTicket(
  store: Store,
  ticket: string,
  room: string,
): Gen<{ credential: CredentialRef; user: UserDto } | null> {
  const { socketTickets } = store.t;
  const row = yield* get(
    store.q
      .delete(socketTickets)
      .where(and(eq(socketTickets.id, sha256(ticket)), gt(socketTickets.expiresAt, Date.now())))
      .returning({
        credential: socketTickets.credential,
        userId: socketTickets.userId,
        room: socketTickets.room,
      }),
  );
  if (!row || row.room !== room) return null;
  const user = yield* resolveCredential(store, row.credential);
  if (!user || user.id !== row.userId) return null;
  return { credential: row.credential, user };
}
