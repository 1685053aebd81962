/** Accounts: creation (API register, admin POST /users, CLI `user add`) and look-ups. */
import { randomBytes } from "node:crypto";
import type { ListUsersQuery, UserListDto } from "@gloss/shared";
import { asc, count, eq, or, sql } from "drizzle-orm";
import { hashPassword } from "../auth/passwords";
import { toUserDto } from "../auth/sessions";
import type { Db } from "../db/client";
import { containsText } from "../db/query";
import { users } from "../db/schema";
import { HttpError } from "../errors";
import { audit } from "./audit";

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
export function findUserByUsername(db: Db, username: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.username, username)).get();
}

/** A page of accounts by username, `q` in the username or display name (the admin's user list). */
export function listUsers(db: Db, query: ListUsersQuery): UserListDto {
  const where = query.q
    ? or(containsText(users.username, query.q), containsText(users.displayName, query.q))
    : undefined;
  const total = db.select({ n: count() }).from(users).where(where).get()!.n;
  const rows = db
    .select()
    .from(users)
    .where(where)
    .orderBy(asc(users.username), asc(users.id))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  return { users: rows.map(toUserDto), total };
}

/**
 * Creates an account. The first account ever created becomes the instance administrator; a username
 * that differs from an existing one only by case is refused too (no look-alike accounts) → 409.
 */
export async function createUser(db: Db, input: NewUser, actorId: number | null = null): Promise<UserRow> {
  // hash outside the transaction: it is slow and async, and the transaction must stay synchronous
  const passwordHash = await hashPassword(input.password);
  return db.transaction(() => {
    const taken = db
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.username}) = lower(${input.username})`)
      .get();
    if (taken) {
      throw new HttpError(409, "username_taken", `The username '${input.username}' is taken`, {
        field: "username",
      });
    }
    const first = (db.select({ n: count() }).from(users).get()?.n ?? 0) === 0;
    const row = db
      .insert(users)
      .values({
        username: input.username,
        displayName: input.displayName?.trim() || input.username,
        passwordHash,
        isAdmin: first || !!input.isAdmin,
      })
      .returning()
      .get();
    audit(db, {
      userId: actorId ?? row.id,
      action: "user.create",
      target: `user:${row.id}`,
      details: { username: row.username, isAdmin: row.isAdmin, firstAccount: first },
    });
    return row;
  });
}
