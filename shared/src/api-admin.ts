/**
 * Contract additions for account administration: an admin creating accounts through the API.
 * Kept apart from api.ts so several people can extend the contract without editing the same file.
 */
import { z } from "zod";
import { Password, UserDto, Username } from "./api";

/** POST /api/users (instance admins): a password may be omitted, and one is generated and returned once. */
export const CreateUserBody = z.object({
  username: Username,
  password: Password.optional(),
  displayName: z.string().min(1).max(128).optional(),
  isAdmin: z.boolean().optional(),
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

/** The created account; `password` is present only when the server generated it (shown once). */
export const CreatedUserDto = UserDto.extend({ password: z.string().optional() }).meta({ id: "CreatedUser" });
export type CreatedUserDto = z.infer<typeof CreatedUserDto>;

/** GET /api/users (instance admins). */
export const UserListDto = z.object({ users: z.array(UserDto) }).meta({ id: "UserList" });
