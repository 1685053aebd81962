/** Account administration for instance admins: list accounts, create one (when sign-up is closed). */

import { CreatedUserDto, CreateUserBody, ListUsersQuery, type UserDto, UserListDto } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { toUserDto } from "../../auth/sessions";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { forbidden, unauthorized } from "../../errors";
import { createUser, generatePassword, listUsers } from "../../services/users";
import { createRouter, errors, json, jsonBody, readJson } from "../openapi";

const adminErrors = { 401: errors[401], 403: errors[403] };

const listRoute = createRoute({
  method: "get",
  path: "/users",
  operationId: "listUsers",
  tags: ["users"],
  summary: "A page of the accounts (instance admins)",
  request: { query: ListUsersQuery },
  responses: {
    200: json(UserListDto, "The page; `total` counts every match"),
    400: errors[400],
    ...adminErrors,
  },
});
const createUserRoute = createRoute({
  method: "post",
  path: "/users",
  operationId: "createUser",
  tags: ["users"],
  summary: "Create an account (instance admins); without a password, one is generated and returned once",
  middleware: readJson(),
  request: jsonBody(CreateUserBody),
  responses: {
    201: json(CreatedUserDto, "The account"),
    400: errors[400],
    ...adminErrors,
    409: errors[409],
  },
});

/** Throws 401 for anonymous callers and 403 for anyone but an instance admin. */
function requireAdmin(user: UserDto | null): UserDto {
  if (!user) throw unauthorized();
  if (!user.isAdmin) throw forbidden("This needs an instance administrator");
  return user;
}

/** GET/POST /users. */
export function userRoutes({ store, log }: Deps) {
  const app = createRouter();

  app.openapi(listRoute, async (c) => {
    requireAdmin(c.get("user"));
    return c.json(await call(store, listUsers, c.req.valid("query")), 200);
  });

  app.openapi(createUserRoute, async (c) => {
    const admin = requireAdmin(c.get("user"));
    const body = c.req.valid("json");
    const password = body.password ?? generatePassword();
    const row = await createUser(store, { ...body, password }, admin.id);
    log.info("user created by admin", { userId: row.id, username: row.username, by: admin.id });
    const dto: CreatedUserDto = toUserDto(row);
    if (!body.password) dto.password = password;
    return c.json(dto, 201);
  });

  return app;
}
