/** Accounts: creation (API register, admin POST /users, CLI `user add`) and look-ups. */
import { randomBytes } from "node:crypto";
import type { ListUsersQuery, UserListDto } from "@gloss/shared";
import { asc, count, eq, or, sql } from "drizzle-orm";
import { checkPasswordPolicy } from "../auth/passwordPolicy";
import { hashPassword } from "../auth/passwords";
import { toUserDto } from "../auth/sessions";
import type { users } from "../db/schema";
import { all, containsText, execute, type Gen, get, type Store, transaction } from "../db/store";
import { HttpError } from "../errors";
import { recordAudit } from "./audit";

export type UserRow = typeof users.$inferSelect;

export interface NewUser {
  username: string;
  password: string;
  displayName?: string;
  isAdmin?: boolean;
}

/** A random password for accounts created without one (shown once, never stored in clear). */
export const generatePassword = () => randomBytes(18).toString("base64url");

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
  return { users: rows.map(toUserDto), total };
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
