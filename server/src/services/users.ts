/** Accounts: creation (API register, admin POST /users, CLI `user add`) and look-ups. */
import { randomBytes } from "node:crypto";
import type { AdminUserDto, ListUsersQuery, UserListDto } from "@gloss/shared";
import { and, asc, count, eq, isNull, or, sql } from "drizzle-orm";
import { checkPasswordPolicy } from "../auth/passwordPolicy";
import { hashPassword } from "../auth/passwords";
import { toUserDto } from "../auth/sessions";
import type { users } from "../db/schema";
import { all, containsText, execute, type Gen, get, run, type Store, transaction } from "../db/store";
import { HttpError, notFound } from "../errors";
import { recordAudit } from "./audit";

export type UserRow = typeof users.$inferSelect;

export interface NewUser {
  username: string;
  password: string;
  displayName?: string;
  isAdmin?: boolean;
}

/**
 * A random password for accounts created without one or reset by an administrator (shown once, never
 * stored in clear): 24 characters of the URL-safe base64 alphabet, 144 random bits — well over any
 * length policy (12 characters) and never a common password.
 */
export const generatePassword = () => randomBytes(18).toString("base64url");

/** An account as the administrator's Users page shows it. */
export const toAdminUserDto = (u: UserRow): AdminUserDto => ({
  ...toUserDto(u),
  createdAt: u.createdAt,
  disabledAt: u.disabledAt ?? null,
});

/** The account with exactly this username, if any. */
export function* findUserByUsername(store: Store, username: string): Gen<UserRow | undefined> {
  const { users } = store.t;
  return yield* get(store.q.select().from(users).where(eq(users.username, username)));
}

/** A page of accounts by username, `q` in the username or display name (the admin's user list). */
export function* listUsers(store: Store, query: ListUsersQuery): Gen<UserListDto> {
  const { users } = store.t;
  const where = query.q
    ? or(containsText(store, users.username, query.q), containsText(store, users.displayName, query.q))
    : undefined;
  const total = (yield* get(store.q.select({ n: count() }).from(users).where(where)))!.n;
  const rows = yield* all(
    store.q
      .select()
      .from(users)
      .where(where)
      .orderBy(asc(users.username), asc(users.id))
      .limit(query.limit)
      .offset(query.offset),
  );
  return { users: rows.map(toAdminUserDto), total };
}

/**
 * Creates an account. The first account ever created becomes the instance administrator; a username
 * that differs from an existing one only by case is refused too (no look-alike accounts) → 409.
 */
export async function createUser(
  store: Store,
  input: NewUser,
  actorId: number | null = null,
): Promise<UserRow> {
  // the rule first (before the name is looked at: a probe for a taken name must bring a password that
  // would be accepted), then hashed before the transaction: it is slow and async, and takes no lock meanwhile
  checkPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  return execute(store, insertUser(store, input, passwordHash, actorId));
}

function insertUser(
  _store: Store,
  input: NewUser,
  passwordHash: string,
  actorId: number | null,
): Gen<UserRow> {
  return transaction(function* (tx) {
    const { users } = tx.t;
    const taken = yield* get(
      tx.q
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.username}) = lower(${input.username})`)
        .limit(1),
    );
    if (taken) {
      throw new HttpError(409, "username_taken", `The username '${input.username}' is taken`, {
        field: "username",
      });
    }
    const first = ((yield* get(tx.q.select({ n: count() }).from(users)))?.n ?? 0) === 0;
    const row = (yield* get(
      tx.q
        .insert(users)
        .values({
          username: input.username,
          displayName: input.displayName?.trim() || input.username,
          passwordHash,
          isAdmin: first || !!input.isAdmin,
        })
        .returning(),
    ))!;
    yield* recordAudit(tx, {
      userId: actorId ?? row.id,
      action: "user.create",
      target: `user:${row.id}`,
      details: { username: row.username, isAdmin: row.isAdmin, firstAccount: first },
    });
    return row;
  });
}

/** The account with this id, or 404 "No such account". */
function* userById(store: Store, id: number): Gen<UserRow> {
  const { users } = store.t;
  const row = yield* get(store.q.select().from(users).where(eq(users.id, id)));
  if (!row) throw notFound("No such account");
  return row;
}

/** Ends every session of an account and revokes its live tokens (each bumps the rights epoch: sockets close). */
function* endCredentials(store: Store, userId: number): Gen<void> {
  const { apiTokens, sessions } = store.t;
  yield* run(store.q.delete(sessions).where(eq(sessions.userId, userId)));
  yield* run(
    store.q
      .update(apiTokens)
      .set({ revokedAt: Date.now() })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))),
  );
}

/**
 * Disables an account (its sessions end and its tokens are revoked in the same transaction, so nothing
 * it holds works a moment longer) or enables it again; audited. An administrator cannot disable their
 * own account (there would be no one left to undo it).
 */
export function setUserDisabled(
  _store: Store,
  actorId: number,
  userId: number,
  disabled: boolean,
): Gen<UserRow> {
  return transaction(function* (tx) {
    const { users } = tx.t;
    const before = yield* userById(tx, userId);
    if (disabled && userId === actorId) {
      throw new HttpError(409, "cannot_disable_self", "You cannot disable your own account");
    }
    if (!!before.disabledAt === disabled) return before;
    const row = (yield* get(
      tx.q
        .update(users)
        .set({ disabledAt: disabled ? Date.now() : null })
        .where(eq(users.id, userId))
        .returning(),
    ))!;
    if (disabled) yield* endCredentials(tx, userId);
    yield* recordAudit(tx, {
      userId: actorId,
      action: disabled ? "user.disable" : "user.enable",
      target: `user:${userId}`,
      details: { username: row.username },
    });
    return row;
  });
}

/**
 * Gives an account a new generated password (returned once) and ends its sessions, so whoever held the
 * old one is signed out; audited. Its API tokens stay (they are not the password).
 */
export async function resetPassword(store: Store, actorId: number, userId: number): Promise<string> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await execute(
    store,
    transaction(function* (tx) {
      const { sessions, users } = tx.t;
      const row = yield* userById(tx, userId);
      yield* run(tx.q.update(users).set({ passwordHash }).where(eq(users.id, userId)));
      yield* run(tx.q.delete(sessions).where(eq(sessions.userId, userId)));
      yield* recordAudit(tx, {
        userId: actorId,
        action: "user.password_reset",
        target: `user:${userId}`,
        details: { username: row.username },
      });
    }),
  );
  return password;
}
