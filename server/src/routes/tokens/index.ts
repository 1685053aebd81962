/** Personal API tokens: create (shown once), list, revoke. Only ever the caller's own tokens. */

import { CreatedTokenDto, CreateTokenBody, TokenDto, TokenParams } from "@gloss/shared";
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { createApiToken } from "../../auth/sessions";
import type { Deps } from "../../context";
import { apiTokens } from "../../db/schema";
import { callSync } from "../../db/store";
import { HttpError, notFound, unauthorized } from "../../errors";
import { audit } from "../../services/audit";
import { createRouter, errors, json, jsonBody, readJson } from "../openapi";

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

const createTokenRoute = createRoute({
  method: "post",
  path: "/tokens",
  operationId: "createToken",
  tags: ["tokens"],
  summary: "Create a personal API token (the token itself is shown only in this response)",
  middleware: readJson(),
  request: jsonBody(CreateTokenBody),
  responses: {
    201: json(CreatedTokenDto, "The token, with its secret"),
    400: errors[400],
    401: errors[401],
    409: errors[409],
  },
});
const listTokensRoute = createRoute({
  method: "get",
  path: "/tokens",
  operationId: "listTokens",
  tags: ["tokens"],
  summary: "The caller's live tokens (without their secrets)",
  responses: {
    200: json(z.object({ tokens: z.array(TokenDto) }).meta({ id: "TokenList" }), "The tokens"),
    401: errors[401],
  },
});
const revokeTokenRoute = createRoute({
  method: "delete",
  path: "/tokens/{id}",
  operationId: "revokeToken",
  tags: ["tokens"],
  summary: "Revoke one of the caller's tokens",
  request: { params: TokenParams },
  responses: { 204: { description: "Revoked" }, 400: errors[400], 401: errors[401], 404: errors[404] },
});

/** /tokens routes. */
export function tokenRoutes({ db, log }: Deps) {
  const app = createRouter();

  app.openapi(createTokenRoute, async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const body = c.req.valid("json");
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
      const { token, row } = callSync(db, createApiToken, user.id, body.name);
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

  app.openapi(listTokensRoute, (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const rows = db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
      .orderBy(asc(apiTokens.id))
      .all();
    return c.json({ tokens: rows.map(toTokenDto) }, 200);
  });

  app.openapi(revokeTokenRoute, (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const { id } = c.req.valid("param");
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
