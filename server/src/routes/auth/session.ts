/** Register, sign in, sign out, who am I. */

import { LoginBody, RegisterBody, SessionDto, UserDto } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DUMMY_HASH, verifyPassword } from "../../auth/passwords";
import {
  LoginThrottle,
  memoryLimiters,
  redisLimiters,
  THROTTLE_RULES,
  WindowThrottle,
} from "../../auth/rateLimit";
import { createSession, deleteSession, readCookie, SESSION_COOKIE, toUserDto } from "../../auth/sessions";
import type { AppEnv, Deps } from "../../context";
import { call } from "../../db/store";
import { HttpError, unauthorized } from "../../errors";
import { createUser, findUserByUsername } from "../../services/users";
import { createRouter, errors, json, jsonBody, readJson } from "../openapi";
import { clientIp, ipBucket } from "./clientIp";
import { clearSessionCookie, setSessionCookie } from "./cookie";

const signedIn = { description: "The session cookie (HttpOnly)", schema: { type: "string" as const } };

const registerRoute = createRoute({
  method: "post",
  path: "/auth/register",
  operationId: "register",
  tags: ["auth"],
  summary: "Create an account (when sign-up is open) and sign in",
  security: [],
  middleware: readJson(),
  request: jsonBody(RegisterBody),
  responses: {
    201: { ...json(UserDto, "The new account, signed in"), headers: { "Set-Cookie": signedIn } },
    400: errors[400],
    403: errors[403],
    409: errors[409],
    429: errors[429],
  },
});
const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  operationId: "login",
  tags: ["auth"],
  summary: "Sign in with a username and password",
  security: [],
  middleware: readJson(),
  request: jsonBody(LoginBody),
  responses: {
    200: { ...json(UserDto, "Signed in"), headers: { "Set-Cookie": signedIn } },
    400: errors[400],
    401: errors[401],
    403: errors[403],
    429: errors[429],
  },
});
const logoutRoute = createRoute({
  method: "post",
  path: "/auth/logout",
  operationId: "logout",
  tags: ["auth"],
  summary: "Sign out (ends this session, clears the cookie)",
  responses: { 204: { description: "Signed out" } },
});
const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  operationId: "getMe",
  tags: ["auth"],
  summary: "Who the caller is",
  responses: { 200: json(UserDto, "The signed-in user"), 401: errors[401] },
});

const sessionRoute = createRoute({
  method: "get",
  path: "/auth/session",
  operationId: "getSession",
  tags: ["auth"],
  summary: "Who the caller is, or `user: null` when not signed in",
  security: [],
  responses: { 200: json(SessionDto, "The signed-in user, or null") },
});

/** One message for an unknown user and a wrong password, so sign-in never tells which accounts exist. */
const BAD_CREDENTIALS = "Wrong username or password";

/** 429 with Retry-After (whole seconds, at least 1) and the wait in the message. */
function rateLimited(c: Context, retryAfterMs: number, what: string) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  c.header("Retry-After", String(seconds));
  return c.json(
    {
      error: {
        code: "rate_limited",
        message: `${what}: try again in ${seconds} s`,
        details: { retryAfterSeconds: seconds },
      },
    },
    429 as const,
  );
}

/** Session routes; each app gets its own throttles (no module-level state). */
export function sessionRoutes(deps: Deps) {
  const { store, config, log } = deps;
  const rules = { ...THROTTLE_RULES, ...config.throttle };
  // several servers count together (in Redis), or this one alone
  const make = deps.redis ? redisLimiters(deps.redis, config.redisPrefix) : memoryLimiters;
  const logins = new LoginThrottle(rules, make);
  const registrations = new WindowThrottle("register:ip", rules.registration, make);
  const takenNames = new WindowThrottle("register:taken", rules.registrationTaken, make);
  /** The rate-limit bucket of the caller (X-Forwarded-For only when GLOSS_TRUST_PROXY says so). */
  const bucketOf = (c: Context<AppEnv>) => ipBucket(clientIp(c, config.trustProxy));
  const app = createRouter();

  /** Starts a session for the user, replacing the one the request came with (if any). */
  const signIn = async (c: Context<AppEnv>, userId: number) => {
    const previous = readCookie(c.req.header("cookie"), SESSION_COOKIE);
    if (previous) await call(store, deleteSession, previous);
    const session = await call(store, createSession, userId);
    setSessionCookie(c, config, session.value, session.expiresAt);
  };

  app.openapi(registerRoute, async (c) => {
    if (!config.allowSignup) {
      throw new HttpError(403, "signup_closed", "Sign-up is closed on this instance: ask an administrator");
    }
    const body = c.req.valid("json");
    const ip = bucketOf(c);
    const refused = await registrations.take(ip);
    if (refused) return rateLimited(c, refused.retryAfterMs, "Too many accounts created from this address");
    // createUser checks the password rule before it looks at the name, so a probe needs an acceptable one
    const row = await createUser(store, body).catch(async (err: unknown) => {
      if (!(err instanceof HttpError) || err.code !== "username_taken") throw err;
      const over = await takenNames.take(ip);
      if (over) {
        log.warn("registration of taken names rate limited", { ip });
        return rateLimited(c, over.retryAfterMs, "Too many sign-up attempts from this address");
      }
      throw err;
    });
    if (row instanceof Response) return row;
    await signIn(c, row.id);
    log.info("user registered", { userId: row.id, username: row.username, isAdmin: row.isAdmin });
    return c.json(toUserDto(row), 201);
  });

  app.openapi(loginRoute, async (c) => {
    const body = c.req.valid("json");
    const ip = bucketOf(c);
    const attempt = await logins.begin(body.username, ip);
    if ("retryAfterMs" in attempt) {
      log.warn("sign-in rate limited", { username: body.username, ip, retryAfterMs: attempt.retryAfterMs });
      return rateLimited(c, attempt.retryAfterMs, "Too many sign-in attempts");
    }
    const user = await call(store, findUserByUsername, body.username);
    // verify against a dummy hash when there is no such user, so both failures take the same time
    const ok = (await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH)) && !!user;
    await attempt.settle(ok);
    if (!ok || !user) {
      log.warn("sign-in failed", { username: body.username, ip });
      throw new HttpError(401, "invalid_credentials", BAD_CREDENTIALS);
    }
    // told only to whoever knows the password: a disabled account exists, but cannot be used
    if (user.disabledAt)
      throw new HttpError(403, "account_disabled", "This account is disabled: ask an administrator");
    await signIn(c, user.id);
    log.debug("signed in", { userId: user.id, ip });
    return c.json(toUserDto(user), 200);
  });

  app.openapi(logoutRoute, async (c) => {
    const value = readCookie(c.req.header("cookie"), SESSION_COOKIE);
    if (value) await call(store, deleteSession, value);
    clearSessionCookie(c, config);
    return c.body(null, 204);
  });

  app.openapi(meRoute, (c) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    return c.json(user, 200);
  });

  // The app's first request on every load: a signed-out visitor is an ordinary answer here, not a 401
  // (which the browser logs as a console error on every page load; issue 13 item 11).
  app.openapi(sessionRoute, (c) => c.json({ user: c.get("user") }, 200));

  return app;
}
