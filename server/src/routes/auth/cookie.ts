import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../auth/sessions";
import type { Config } from "../../env";

/**
 * Secure when configured so, or, when not configured, when the request itself came over https
 * (behind a TLS-terminating proxy the request URL is http: set GLOSS_SECURE_COOKIES=true there).
 */
function isSecure(c: Context, config: Config): boolean {
  if (config.secureCookies !== null) return config.secureCookies;
  return new URL(c.req.url).protocol === "https:";
}

/** Sets the session cookie: HttpOnly (no script reads it), SameSite=Lax, the whole site, until the session expires. */
export function setSessionCookie(c: Context, config: Config, value: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    maxAge: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)),
    secure: isSecure(c, config),
  });
}

/** Expires the session cookie in the browser. */
export function clearSessionCookie(c: Context, config: Config): void {
  deleteCookie(c, SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: isSecure(c, config),
  });
}
