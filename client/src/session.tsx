/**
 * Who is signed in: read once from GET /api/auth/session, changed by sign in / register / sign out (their
 * mutations, api/mutations.ts, put the user in the same query).
 */
import type { UserDto } from "@gloss/shared";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useMemo } from "react";
import { ApiError } from "./api/client";
import { useApi } from "./api/context";
import { becomeUser } from "./api/mutations";
import { withOfflineCopy } from "./api/offlineCopy";
import { queryKeys } from "./api/queries";

export type SessionStatus = "loading" | "signed-in" | "signed-out";

export interface Session {
  status: SessionStatus;
  user: UserDto | null;
  /** Forgets the user after the server said the session is gone (a 401 or close code 4401). */
  expire(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Provides the session to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const client = useQueryClient();
  const me = useQuery({
    queryKey: queryKeys.me,
    // GET /auth/session answers 200 with `user: null` for a visitor, so a signed-out load logs nothing
    queryFn: ({ signal }) =>
      // offline, the user this browser last saw signed in (the page then opens from what it keeps)
      withOfflineCopy("session", () => api.auth.session({ signal }))
        .then((s) => s.user)
        .catch((err: unknown) => {
          // anything else still leaves us signed out, with the page showing the sign-in form (which
          // reports a network failure when the user tries)
          if (!(err instanceof ApiError) || err.status !== 401)
            console.warn("GET /api/auth/session failed", err);
          return null;
        }),
    // read once: a page that lost its session says so itself (a 401, close code 4401) and keeps the
    // work on screen rather than jumping to the sign-in page
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    retry: false,
  });
  const user = me.data ?? null;
  const status: SessionStatus = me.isPending ? "loading" : user ? "signed-in" : "signed-out";

  const expire = useCallback(() => becomeUser(client, null), [client]);

  const value = useMemo(() => ({ status, user, expire }), [status, user, expire]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside <SessionProvider>");
  return s;
}

/** The signed-in user (pages behind `_auth` only). */
export function useUser(): UserDto {
  const { user } = useSession();
  if (!user) throw new Error("useUser without a signed-in user");
  return user;
}
