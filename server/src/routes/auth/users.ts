/**
 * Account administration for instance admins: list accounts, create one (when sign-up is closed), disable
 * or enable one, reset a password. Every action is audited (services/users.ts).
 */

import {
  AdminUserDto,
  CreatedUserDto,
  CreateUserBody,
  ListUsersQuery,
  PatchUserBody,
  ResetPasswordDto,
  type UserDto,
  UserListDto,
  UserParams,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { toUserDto } from "../../auth/sessions";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { forbidden, unauthorized } from "../../errors";
import { createInvite } from "../../services/invites";
import {
  createUser,
  generatePassword,
  listUsers,
  resetPassword,
  setUserDisabled,
  toAdminUserDto,
} from "../../services/users";
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
  summary:
    "Create an account (instance admins): with a password, an invite link (`invite: true`), or a generated password returned once",
  middleware: readJson(),
  request: jsonBody(CreateUserBody),
  responses: {
    201: json(CreatedUserDto, "The account"),
    400: errors[400],
    ...adminErrors,
    409: errors[409],
  },
});

const patchUserRoute = createRoute({
  method: "patch",
  path: "/users/{id}",
  operationId: "patchUser",
  tags: ["users"],
  summary: "Disable an account (its sessions and tokens stop working at once) or enable it (instance admins)",
  middleware: readJson(),
  request: { params: UserParams, ...jsonBody(PatchUserBody) },
  responses: {
    200: json(AdminUserDto, "The account"),
    400: errors[400],
    ...adminErrors,
    404: errors[404],
    409: errors[409],
  },
});
const resetPasswordRoute = createRoute({
  method: "post",
  path: "/users/{id}/password",
  operationId: "resetUserPassword",
  tags: ["users"],
  summary: "Give an account a new generated password, returned once; its sessions end (instance admins)",
  request: { params: UserParams },
  responses: {
    200: json(ResetPasswordDto, "The new password (shown once)"),
    400: errors[400],
    ...adminErrors,
    404: errors[404],
  },
});

/** Throws 401 for anonymous callers and 403 for anyone but an instance admin. */
function requireAdmin(user: UserDto | null): UserDto {
  if (!user) throw unauthorized();
  if (!user.isAdmin) throw forbidden("This needs an instance administrator");
  return user;
}

/** GET/POST /users, PATCH /users/{id}, POST /users/{id}/password. */
export function userRoutes({ store, log }: Deps) {
  const app = createRouter();

  app.openapi(listRoute, async (c) => {
    requireAdmin(c.get("user"));
    return c.json(await call(store, listUsers, c.req.valid("query")), 200);
  });

  app.openapi(createUserRoute, async (c) => {
    const admin = requireAdmin(c.get("user"));
    const body = c.req.valid("json");
    // an invitee's account gets a random password nobody ever sees, until they set their own
    const password = body.password ?? generatePassword();
    const row = await createUser(store, { ...body, password }, admin.id);
    log.info("user created by admin", { userId: row.id, username: row.username, by: admin.id });
    const dto: CreatedUserDto = toUserDto(row);
    if (body.invite) dto.invite = await call(store, createInvite, row.id, admin.id);
    else if (!body.password) dto.password = password;
    return c.json(dto, 201);
  });

  app.openapi(patchUserRoute, async (c) => {
    const admin = requireAdmin(c.get("user"));
    const { id } = c.req.valid("param");
    const { disabled } = c.req.valid("json");
    const row = await call(store, setUserDisabled, admin.id, id, disabled);
    log.info(disabled ? "user disabled" : "user enabled", { userId: id, by: admin.id });
    return c.json(toAdminUserDto(row), 200);
  });

  app.openapi(resetPasswordRoute, async (c) => {
    const admin = requireAdmin(c.get("user"));
    const { id } = c.req.valid("param");
    const password = await resetPassword(store, admin.id, id);
    log.info("password reset by admin", { userId: id, by: admin.id });
    return c.json({ password }, 200);
  });

  return app;
}
