/**
 * Invite links (the administrator's Users page, issue 13 item 9): instead of a generated password, a new
 * account can get a link through which its user sets their own password — once, within INVITE_TTL_MS.
 * Only the sha256 of the link's token is stored; making and using an invite are audited.
 */
import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { checkPasswordPolicy } from "../auth/passwordPolicy";
import { hashPassword } from "../auth/passwords";
import { sha256 } from "../auth/sessions";
import { execute, type Gen, get, run, type Store, transaction } from "../db/store";
import { HttpError } from "../errors";
import { recordAudit } from "./audit";
import type { UserRow } from "./users";

/** How long an invite link works. */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

/** One message for an unknown, used and expired link: none tells more than the others. */
const INVALID = () =>
  new HttpError(
    404,
    "invite_invalid",
    "This invite link does not work (used, expired or unknown): ask for a new one",
  );

/** Makes an invite for `userId` (by `actorId`); returns its token (shown once) and expiry. */
export function* createInvite(
  store: Store,
  userId: number,
  actorId: number,
): Gen<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = Date.now() + INVITE_TTL_MS;
  yield* run(
    store.q.insert(store.t.invites).values({ id: sha256(token), userId, createdBy: actorId, expiresAt }),
  );
  yield* recordAudit(store, { userId: actorId, action: "user.invite", target: `user:${userId}` });
  return { token, expiresAt };
}

/** The account a still-valid invite is for (not used, not expired, the account not disabled), or 404. */
export function* findInvite(
  store: Store,
  token: string,
): Gen<{ inviteId: string; user: UserRow; expiresAt: number }> {
  const { invites, users } = store.t;
  const row = yield* get(
    store.q
      .select({ user: users, expiresAt: invites.expiresAt, inviteId: invites.id })
      .from(invites)
      .innerJoin(users, eq(users.id, invites.userId))
      .where(
        and(
          eq(invites.id, sha256(token)),
          isNull(invites.usedAt),
          gt(invites.expiresAt, Date.now()),
          isNull(users.disabledAt),
        ),
      ),
  );
  if (!row) throw INVALID();
  return row;
}

/** Sets the invitee's password and uses the invite up (one transaction, re-checked inside); audited. */
export async function acceptInvite(store: Store, token: string, password: string): Promise<UserRow> {
  checkPasswordPolicy(password);
  const passwordHash = await hashPassword(password);
  return execute(
    store,
    transaction(function* (tx) {
      const { invites, users } = tx.t;
      const { inviteId, user } = yield* findInvite(tx, token);
      const used = yield* get(
        tx.q
          .update(invites)
          .set({ usedAt: Date.now() })
          .where(and(eq(invites.id, inviteId), isNull(invites.usedAt)))
          .returning({ id: invites.id }),
      );
      if (!used) throw INVALID();
      const row = (yield* get(
        tx.q.update(users).set({ passwordHash }).where(eq(users.id, user.id)).returning(),
      ))!;
      yield* recordAudit(tx, { userId: user.id, action: "user.invite_accept", target: `user:${user.id}` });
      return row;
    }),
  );
}
