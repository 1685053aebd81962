/** Who is signed in: loaded once from GET /api/auth/me, changed by sign in / register / sign out. */
import type { LoginBody, RegisterBody, UserDto } from "@gloss/shared";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiError, isAbort } from "./api/client";
import { useApi } from "./api/context";

export type SessionStatus = "loading" | "signed-in" | "signed-out";

export interface Session {
  status: SessionStatus;
  user: UserDto | null;
  signIn(body: LoginBody): Promise<UserDto>;
  register(body: RegisterBody): Promise<UserDto>;
  signOut(): Promise<void>;
  /** Forgets the user after the server said the session is gone (a 401 or close code 4401). */
  expire(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Provides the session to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [user, setUser] = useState<UserDto | null>(null);
  const [status, setStatus] = useState<SessionStatus>("loading");

  useEffect(() => {
    const ctrl = new AbortController();
    api.auth.me({ signal: ctrl.signal }).then(
      (me) => {
        setUser(me);
        setStatus("signed-in");
      },
      (err) => {
        if (isAbort(err)) return;
        // 401 is the ordinary "not signed in"; anything else still leaves us signed out, with the page
        // showing the sign-in form (which reports a network failure when the user tries).
        if (!(err instanceof ApiError) || err.status !== 401) console.warn("GET /api/auth/me failed", err);
        setUser(null);
        setStatus("signed-out");
      },
    );
    return () => ctrl.abort();
  }, [api]);

  const signIn = useCallback(
    async (body: LoginBody) => {
      const me = await api.auth.login(body);
      setUser(me);
      setStatus("signed-in");
      return me;
    },
    [api],
  );
  const register = useCallback(
    async (body: RegisterBody) => {
      const me = await api.auth.register(body);
      setUser(me);
      setStatus("signed-in");
      return me;
    },
    [api],
  );
  const signOut = useCallback(async () => {
    await api.auth.logout().catch(() => undefined);
    setUser(null);
    setStatus("signed-out");
  }, [api]);
  const expire = useCallback(() => {
    setUser(null);
    setStatus("signed-out");
  }, []);

  const value = useMemo(
    () => ({ status, user, signIn, register, signOut, expire }),
    [status, user, signIn, register, signOut, expire],
  );
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
