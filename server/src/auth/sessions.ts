import { createHash, randomBytes } from "node:crypto";
import type { UserDto } from "@gloss/shared";
import { eq } from "drizzle-orm";
import type { users } from "../db/schema";
import { type Gen, get, getWith, run, runWith, type Store } from "../db/store";
import { authQueries } from "./statements";

export const SESSION_COOKIE = "gloss_session";
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const TOKEN_PREFIX = "gloss_";

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const randomToken = () => randomBytes(32).toString("base64url");

/** Creates a server-side session; returns the cookie value (only its sha256 is stored). */
export function* createSession(store: Store, userId: number): Gen<{ value: string; expiresAt: number }> {
  const value = randomToken();
  const expiresAt = Date.now() + SESSION_TTL_MS;
  yield* run(store.q.insert(store.t.sessions).values({ id: sha256(value), userId, expiresAt }));
  return { value, expiresAt };
}

export function* deleteSession(store: Store, value: string): Gen<void> {
  const { sessions } = store.t;
  yield* run(store.q.delete(sessions).where(eq(sessions.id, sha256(value))));
}

/** Creates a personal API token; returns the token (shown once). */
export function* createApiToken(store: Store, userId: number, name: string) {
  const token = TOKEN_PREFIX + randomToken();
  const row = (yield* get(
    store.q
      .insert(store.t.apiTokens)
      .values({ userId, name, tokenHash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) })
      .returning(),
  ))!;
  return { token, row };
}

export const toUserDto = (u: typeof users.$inferSelect): UserDto => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  isAdmin: u.isAdmin,
});

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

export type AuthVia = "cookie" | "token";

/**
 * Which credential authenticated a caller, without the secret: `s:<session id>` (the sha256 that is the
 * row's key) or `t:<token row id>`. A long-lived connection keeps it to re-check that it still holds.
 */
export type CredentialRef = string;

/** The user a credential still belongs to (the session exists and has not expired; the token is not revoked). */
export function* resolveCredential(store: Store, credential: CredentialRef): Gen<UserDto | null> {
  const q = authQueries(store);
  if (credential.startsWith("s:")) {
    const row = yield* getWith(q.userBySession, { id: credential.slice(2), now: Date.now() });
    return row ? toUserDto(row.user) : null;
  }
  if (credential.startsWith("t:")) {
    const row = yield* getWith(q.userByTokenId, { id: Number(credential.slice(2)) });
    return row ? toUserDto(row.user) : null;
  }
  return null;
}

/**
 * Resolves the caller from a session cookie or an `Authorization: Bearer` API token.
 * Used by the HTTP middleware and by the WebSocket upgrade (authentication before any Y.Doc exists).
 */
export function* resolveUser(
  store: Store,
  headers: { cookie?: string | null; authorization?: string | null },
): Gen<{ user: UserDto; via: AuthVia; credential: CredentialRef } | null> {
  const q = authQueries(store);
  const auth = headers.authorization;
  if (auth?.startsWith("Bearer ")) {
    const token = auth.slice(7).trim();
    const row = yield* getWith(q.userByToken, { hash: sha256(token) });
    if (!row) return null;
    yield* runWith(q.touchToken, { id: row.tokenId, now: Date.now() });
    return { user: toUserDto(row.user), via: "token", credential: `t:${row.tokenId}` };
  }
  const value = readCookie(headers.cookie, SESSION_COOKIE);
  if (!value) return null;
  const id = sha256(value);
  const row = yield* getWith(q.userBySession, { id, now: Date.now() });
  return row ? { user: toUserDto(row.user), via: "cookie", credential: `s:${id}` } : null;
}
