/**
 * Contract additions for account administration: an admin creating accounts through the API.
 * Kept apart from api.ts so several people can extend the contract without editing the same file.
 */
import { z } from "zod";
import { Password, UserDto, Username } from "./api";
import { PageQuery, page } from "./api-pages";
import { UserId } from "./api-params";

/** POST /api/users (instance admins): a password may be omitted, and one is generated and returned once. */
export const CreateUserBody = z
  .object({
    username: Username,
    password: Password.optional(),
    displayName: z.string().min(1).max(128).optional(),
    isAdmin: z.boolean().optional(),
    /** Instead of a password: an invite link through which the new user sets their own (one use, 7 days). */
    invite: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.invite && b.password !== undefined) {
      ctx.addIssue({ code: "custom", path: ["invite"], message: "Give a password or an invite, not both" });
    }
  });
export type CreateUserBody = z.infer<typeof CreateUserBody>;

/** An invite link's secret (shown once: the link is `/invite/<token>`) and when it expires. */
export const InviteTokenDto = z.object({ token: z.string(), expiresAt: z.number().int() });
export type InviteTokenDto = z.infer<typeof InviteTokenDto>;

/**
 * The created account; `password` is present only when the server generated it, `invite` only when one
 * was asked for (each shown once).
 */
export const CreatedUserDto = UserDto.extend({
  password: z.string().optional(),
  invite: InviteTokenDto.optional(),
}).meta({ id: "CreatedUser" });
export type CreatedUserDto = z.infer<typeof CreatedUserDto>;

/** GET /api/users?q=&limit=&offset= (instance admins; `q`: in the username or display name). */
export const ListUsersQuery = PageQuery.extend({ q: z.string().max(200).optional() });
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

/** An account as the administrator's Users page sees it: when it was created, and whether it is disabled. */
export const AdminUserDto = UserDto.extend({
  createdAt: z.number().int(),
  /** When an administrator disabled it (ms since the epoch), or null: a disabled account cannot sign in. */
  disabledAt: z.number().int().nullable(),
}).meta({ id: "AdminUser" });
export type AdminUserDto = z.infer<typeof AdminUserDto>;

/** GET /api/users: a page of accounts by username; `total` counts every match. */
export const UserListDto = page("users", AdminUserDto).meta({ id: "UserList" });
export type UserListDto = z.infer<typeof UserListDto>;

/** GET /api/auth/session: who is signed in, `null` when nobody is (a 200 either way, unlike /auth/me's 401). */
export const SessionDto = z.object({ user: UserDto.nullable() }).meta({ id: "Session" });
export type SessionDto = z.infer<typeof SessionDto>;

/** /api/users/{id}/…: the account an administrator acts on. */
export const UserParams = z.object({ id: UserId });
export type UserParams = z.infer<typeof UserParams>;

/** PATCH /api/users/{id}: disable an account (its sessions and tokens end at once) or enable it again. */
export const PatchUserBody = z.object({ disabled: z.boolean() });
export type PatchUserBody = z.infer<typeof PatchUserBody>;

/** POST /api/users/{id}/password: the new, generated password (shown once; the account's sessions end). */
export const ResetPasswordDto = z.object({ password: z.string() }).meta({ id: "ResetPassword" });
export type ResetPasswordDto = z.infer<typeof ResetPasswordDto>;

/** /api/auth/invites/{token}: the secret of an invite link. */
export const InviteParams = z.object({ token: z.string().min(16).max(128) });

/** GET /api/auth/invites/{token}: whom a valid invite is for. */
export const InviteDto = z
  .object({ username: z.string(), displayName: z.string(), expiresAt: z.number().int() })
  .meta({ id: "Invite" });
export type InviteDto = z.infer<typeof InviteDto>;

/** POST /api/auth/invites/{token}: the invitee's own password (then they are signed in). */
export const AcceptInviteBody = z.object({ password: Password });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;
