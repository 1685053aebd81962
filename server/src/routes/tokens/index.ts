/** Personal API tokens: create (shown once), list, revoke. Only ever the caller's own tokens. */
import { type CreatedTokenDto, CreateTokenBody, type TokenDto } from "@gloss/shared";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { createApiToken } from "../../auth/sessions";
import type { AppEnv, Deps } from "../../context";
import { apiTokens } from "../../db/schema";
import { HttpError, notFound, unauthorized } from "../../errors";
import { audit } from "../../services/audit";

/** Live tokens one account may hold: a leaked script cannot mint them without bound. */
export const MAX_TOKENS_PER_USER = 100;

type TokenRow = typeof apiTokens.$inferSelect;
const toTokenDto = (t: TokenRow): TokenDto => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
});

/** A path id: digits only (so "0x1" or "1e3" are not quietly read as numbers). */
const parseId = (raw: string) => (/^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN);

/** /tokens routes. */
export function tokenRoutes({ db, log }: Deps) {
  const app = new Hono<AppEnv>();

  app.post("/tokens", async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const body = CreateTokenBody.parse(await c.req.json());
    const created = db.transaction(() => {
      const live =
        db
          .select({ n: count() })
          .from(apiTokens)
          .where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
          .get()?.n ?? 0;
      if (live >= MAX_TOKENS_PER_USER) {
        throw new HttpError(
          409,
          "too_many_tokens",
          `You already have ${live} tokens (the limit is ${MAX_TOKENS_PER_USER}): revoke one first`,
        );
      }
      const { token, row } = createApiToken(db, user.id, body.name);
      audit(db, {
        userId: user.id,
        action: "token.create",
        target: `token:${row.id}`,
        details: { name: row.name },
      });
      return { token, row };
    });
    // (keys naming "token" are redacted by the logger, hence `id`)
    log.info("api token created", { userId: user.id, id: created.row.id });
    const dto: CreatedTokenDto = { ...toTokenDto(created.row), token: created.token };
    return c.json(dto, 201);
  });

  app.get("/tokens", (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const rows = db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
      .orderBy(asc(apiTokens.id))
      .all();
    return c.json({ tokens: rows.map(toTokenDto) });
  });

  app.delete("/tokens/:id", (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const id = parseId(c.req.param("id"));
    if (Number.isNaN(id)) throw notFound("No such token");
    db.transaction(() => {
      // someone else's token, a revoked one and a missing one all read as "no such token"
      const revoked = db
        .update(apiTokens)
        .set({ revokedAt: Date.now() })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id })
        .get();
      if (!revoked) throw notFound("No such token");
      audit(db, { userId: user.id, action: "token.revoke", target: `token:${id}` });
    });
    log.info("api token revoked", { userId: user.id, id });
    return c.body(null, 204);
  });

  return app;
}
