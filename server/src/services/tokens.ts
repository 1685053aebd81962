/**
 * Personal API tokens: create (the secret is returned once), list, revoke. Only ever the caller's own
 * tokens; every change is audited in its own transaction.
 */
import { isRowId, type TokenDto } from "@gloss/shared";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { createApiToken } from "../auth/sessions";
import type { apiTokens } from "../db/schema";
import { all, type Gen, get, type Store, transaction } from "../db/store";
import { HttpError, notFound } from "../errors";
import { recordAudit } from "./audit";

/** Live tokens one account may hold: a leaked script cannot mint them without bound. */
export const MAX_TOKENS_PER_USER = 100;

export type TokenRow = typeof apiTokens.$inferSelect;

/** The wire shape of a token row (never its hash). */
export const toTokenDto = (t: TokenRow): TokenDto => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
});

/**
 * Mints a token for `userId` named `name`: 409 too_many_tokens when the account already holds
 * MAX_TOKENS_PER_USER live ones. The count, the insert and the audit row (with `details` beside the
 * name, e.g. `{ via: "cli" }`) are one transaction.
 */
export function createToken(
  _store: Store,
  userId: number,
  name: string,
  details: Record<string, unknown> = {},
): Gen<{ token: string; row: TokenRow }> {
  return transaction(function* (tx) {
    const { apiTokens } = tx.t;
    const live =
      (yield* get(
        tx.q
          .select({ n: count() })
          .from(apiTokens)
          .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))),
      ))?.n ?? 0;
    if (live >= MAX_TOKENS_PER_USER) {
      throw new HttpError(
        409,
        "too_many_tokens",
        `You already have ${live} tokens (the limit is ${MAX_TOKENS_PER_USER}): revoke one first`,
      );
    }
    const { token, row } = yield* createApiToken(tx, userId, name);
    yield* recordAudit(tx, {
      userId,
      action: "token.create",
      target: `token:${row.id}`,
      details: { name: row.name, ...details },
    });
    return { token, row };
  });
}

/** The account's live (unrevoked) tokens, oldest first. */
export function* listTokens(store: Store, userId: number): Gen<TokenRow[]> {
  const { apiTokens } = store.t;
  return yield* all(
    store.q
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .orderBy(asc(apiTokens.id)),
  );
}

/**
 * Revokes one of the account's tokens: someone else's token, a revoked one and a missing one all read as
 * 404 "No such token". The update and the audit row are one transaction.
 */
export function* revokeToken(_store: Store, userId: number, id: number): Gen<void> {
  if (!isRowId(id)) throw notFound("No such token");
  yield* transaction(function* (tx) {
    const { apiTokens } = tx.t;
    const revoked = yield* get(
      tx.q
        .update(apiTokens)
        .set({ revokedAt: Date.now() })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id }),
    );
    if (!revoked) throw notFound("No such token");
    yield* recordAudit(tx, { userId, action: "token.revoke", target: `token:${id}` });
  });
}
