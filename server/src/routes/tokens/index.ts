/** Personal API tokens: create (shown once), list, revoke. Only ever the caller's own tokens. */

import { CreatedTokenDto, CreateTokenBody, TokenDto, TokenParams } from "@gloss/shared";
import { createRoute, z } from "@hono/zod-openapi";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { unauthorized } from "../../errors";
import { createToken, listTokens, revokeToken, toTokenDto } from "../../services/tokens";
import { createRouter, errors, json, jsonBody, readJson } from "../openapi";

export { MAX_TOKENS_PER_USER } from "../../services/tokens";

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
export function tokenRoutes({ store, log }: Deps) {
  const app = createRouter();

  app.openapi(createTokenRoute, async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const body = c.req.valid("json");
    const created = await call(store, createToken, user.id, body.name);
    // (keys naming "token" are redacted by the logger, hence `id`)
    log.info("api token created", { userId: user.id, id: created.row.id });
    const dto: CreatedTokenDto = { ...toTokenDto(created.row), token: created.token };
    return c.json(dto, 201);
  });

  app.openapi(listTokensRoute, async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const rows = await call(store, listTokens, user.id);
    return c.json({ tokens: rows.map(toTokenDto) }, 200);
  });

  app.openapi(revokeTokenRoute, async (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    const { id } = c.req.valid("param");
    await call(store, revokeToken, user.id, id);
    log.info("api token revoked", { userId: user.id, id });
    return c.body(null, 204);
  });

  return app;
}
