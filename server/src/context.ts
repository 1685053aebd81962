import type { UserDto } from "@gloss/shared";
import type { Redis } from "ioredis";
import type { AuthVia, CredentialRef } from "./auth/sessions";
import type { Collab } from "./collab";
import type { Store } from "./db/store";
import type { Config } from "./env";
import type { Logger } from "./log";

/** Everything a route or service needs, passed in (no singletons): a test builds its own in one line. */
export interface Deps {
  /** The database every service runs on: SQLite (the default) or PostgreSQL (GLOSS_DATABASE_URL). */
  store: Store;
  config: Config;
  log: Logger;
  collab: Collab;
  /** The deployment's Redis (GLOSS_REDIS_URL) for what the servers share, or null: one server. */
  redis?: Redis | null;
}

/** Hono environment: per-request variables set by the auth middleware. */
export interface AppEnv {
  Variables: {
    user: UserDto | null;
    authVia: AuthVia | null;
    /** The session or token that authenticated the request (never the secret), e.g. to mint socket tickets. */
    credential: CredentialRef | null;
  };
}
