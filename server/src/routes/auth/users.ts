/** Account administration for instance admins: list accounts, create one (when sign-up is closed). */
import { type CreatedUserDto, CreateUserBody, type UserDto } from "@gloss/shared";
import { Hono } from "hono";
import { toUserDto } from "../../auth/sessions";
import type { AppEnv, Deps } from "../../context";
import { forbidden, unauthorized } from "../../errors";
import { createUser, generatePassword, listUsers } from "../../services/users";

/** Throws 401 for anonymous callers and 403 for anyone but an instance admin. */
function requireAdmin(user: UserDto | null): UserDto {
  if (!user) throw unauthorized();
  if (!user.isAdmin) throw forbidden("This needs an instance administrator");
  return user;
}

/** GET/POST /users. */
export function userRoutes({ db, log }: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/users", (c) => {
    requireAdmin(c.get("user"));
    return c.json({ users: listUsers(db) });
  });

  app.post("/users", async (c) => {
    const admin = requireAdmin(c.get("user"));
    const body = CreateUserBody.parse(await c.req.json());
    const password = body.password ?? generatePassword();
    const row = await createUser(db, { ...body, password }, admin.id);
    log.info("user created by admin", { userId: row.id, username: row.username, by: admin.id });
    const dto: CreatedUserDto = toUserDto(row);
    if (!body.password) dto.password = password;
    return c.json(dto, 201);
  });

  return app;
}
