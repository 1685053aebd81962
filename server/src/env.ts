import path from "node:path";
import { z } from "zod";
import type { ThrottleRules } from "./auth/rateLimit";
import { DEFAULT_LIMITS, defaultAnnotationImportBytes } from "./import/limits";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = z.coerce.number().int().positive();

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  GLOSS_DATA_DIR: z.string().default("./data"),
  GLOSS_ALLOW_SIGNUP: bool.default(true),
  /** Public origin(s) allowed for cookie-authenticated writes and sockets, comma separated; default: the request's own host. */
  GLOSS_ORIGINS: z.string().optional(),
  /** Trust X-Forwarded-For: false/0 (default: the socket's address), true (every hop: the left-most address) or a number of proxies. */
  GLOSS_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|yes|no|\d+)$/, "true, false or a number of proxy hops")
    .transform((v) =>
      v === "true" || v === "yes" ? Number.POSITIVE_INFINITY : v === "false" || v === "no" ? 0 : Number(v),
    )
    .optional(),
  GLOSS_MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  /** Request body limits (bytes; entries for GLOSS_MAX_ZIP_ENTRIES), enforced while the body streams in. */
  GLOSS_MAX_BODY_BYTES: positiveInt.default(DEFAULT_LIMITS.maxBodyBytes),
  GLOSS_MAX_UPLOAD_BYTES: positiveInt.default(DEFAULT_LIMITS.maxUploadBytes),
  GLOSS_MAX_JSON_IMPORT_BYTES: positiveInt.default(DEFAULT_LIMITS.maxJsonImportBytes),
  /** Default: ten times GLOSS_MAX_DOCUMENT_BYTES, at least 64 MiB. */
  GLOSS_MAX_ANNOTATION_IMPORT_BYTES: positiveInt.optional(),
  GLOSS_MAX_UNZIPPED_BYTES: positiveInt.default(DEFAULT_LIMITS.maxUnzippedBytes),
  GLOSS_MAX_ZIP_ENTRIES: positiveInt.default(DEFAULT_LIMITS.maxZipEntries),
  GLOSS_SECURE_COOKIES: bool.optional(),
  GLOSS_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Shutdown waits at most this long (ms) for running exports to finish, then cuts them short. */
  GLOSS_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  GLOSS_DURABILITY: z.enum(["normal", "strict"]).default("normal"),
  /**
   * PostgreSQL instead of the SQLite file in GLOSS_DATA_DIR: postgres://user:password@host:port/database
   * (libpq's URL; sslmode and the other parameters in the query string). Several servers share it.
   */
  GLOSS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "a postgres:// or postgresql:// URL")
    .optional(),
  /** Connections each server keeps to PostgreSQL (GLOSS_DATABASE_URL). */
  GLOSS_DATABASE_POOL: positiveInt.max(1000).default(10),
  /** Several servers over one database: Redis carries their rooms' updates and awareness to each other. */
  GLOSS_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
    .optional(),
  /** A secret for GET /api/metrics (`Authorization: Bearer …`), for a Prometheus scraper; admins need none. */
  GLOSS_METRICS_TOKEN: z.string().min(32, "at least 32 characters").optional(),
  /** The prefix of Gloss's Redis channels (servers of one deployment share it). */
  GLOSS_REDIS_PREFIX: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, "1–64 letters, digits, . : _ -")
    .default("gloss"),
});

export type Env = z.infer<typeof EnvSchema>;

/** Runtime configuration, parsed once at boot; the rest of the server receives it, never reads process.env. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  dbFile: string;
  allowSignup: boolean;
  origins: string[] | null;
  /** Proxy hops whose X-Forwarded-For is believed: 0 = none (the socket's address), Infinity = all (GLOSS_TRUST_PROXY). */
  trustProxy: number;
  /** Overrides of the sign-in/registration throttle rules (tests keep windows small); not read from the environment. */
  throttle?: Partial<ThrottleRules>;
  maxDocumentBytes: number;
  /** Largest body of an ordinary API request (GLOSS_MAX_BODY_BYTES); the import routes have the limits below. */
  maxBodyBytes: number;
  /** Largest streamed document upload: multipart, NDJSON, CSV or text, spooled to disk (GLOSS_MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  /** Largest document import sent as a JSON body, parsed in memory (GLOSS_MAX_JSON_IMPORT_BYTES). */
  maxJsonImportBytes: number;
  /** Largest annotation import body, held in memory (GLOSS_MAX_ANNOTATION_IMPORT_BYTES). */
  maxAnnotationImportBytes: number;
  /** Bytes an uploaded zip may inflate to, counted while inflating (GLOSS_MAX_UNZIPPED_BYTES). */
  maxUnzippedBytes: number;
  /** Entries an uploaded zip may hold (GLOSS_MAX_ZIP_ENTRIES). */
  maxZipEntries: number;
  secureCookies: boolean | null;
  logLevel: Env["GLOSS_LOG_LEVEL"];
  /** How long shutdown waits for running exports before aborting them (GLOSS_SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /**
   * What "durable" means when a client sees an update (GLOSS_DURABILITY): `normal` (SQLite WAL with
   * synchronous=NORMAL: survives a crash of the process, may lose the last commits on power loss) or
   * `strict` (synchronous=FULL: fsync at every commit, survives power loss too).
   */
  durability: "normal" | "strict";
  /** Redis of a multi-server deployment (GLOSS_REDIS_URL), or null: one server. */
  redisUrl: string | null;
  redisPrefix: string;
  /** PostgreSQL (GLOSS_DATABASE_URL) instead of the SQLite file `dbFile`; null: SQLite. Never logged. */
  databaseUrl: string | null;
  databasePool: number;
  /** The scraper's secret for GET /api/metrics (GLOSS_METRICS_TOKEN), or null: admins only. Never logged. */
  metricsToken?: string | null;
}

/** Parses the environment; throws an Error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.GLOSS_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    dbFile: path.join(dataDir, "gloss.db"),
    allowSignup: e.GLOSS_ALLOW_SIGNUP,
    origins: e.GLOSS_ORIGINS ? e.GLOSS_ORIGINS.split(",").map((s) => s.trim()) : null,
    trustProxy: e.GLOSS_TRUST_PROXY ?? 0,
    maxDocumentBytes: e.GLOSS_MAX_DOCUMENT_BYTES,
    maxBodyBytes: e.GLOSS_MAX_BODY_BYTES,
    maxUploadBytes: e.GLOSS_MAX_UPLOAD_BYTES,
    maxJsonImportBytes: e.GLOSS_MAX_JSON_IMPORT_BYTES,
    maxAnnotationImportBytes:
      e.GLOSS_MAX_ANNOTATION_IMPORT_BYTES ?? defaultAnnotationImportBytes(e.GLOSS_MAX_DOCUMENT_BYTES),
    maxUnzippedBytes: e.GLOSS_MAX_UNZIPPED_BYTES,
    maxZipEntries: e.GLOSS_MAX_ZIP_ENTRIES,
    secureCookies: e.GLOSS_SECURE_COOKIES ?? null,
    logLevel: e.GLOSS_LOG_LEVEL,
    shutdownGraceMs: e.GLOSS_SHUTDOWN_GRACE_MS,
    durability: e.GLOSS_DURABILITY,
    redisUrl: e.GLOSS_REDIS_URL ?? null,
    redisPrefix: e.GLOSS_REDIS_PREFIX,
    databaseUrl: e.GLOSS_DATABASE_URL ?? null,
    databasePool: e.GLOSS_DATABASE_POOL,
    metricsToken: e.GLOSS_METRICS_TOKEN ?? null,
  };
}

/** A configuration for tests: in-memory-ish defaults, overridable. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir: "",
    dbFile: ":memory:",
    allowSignup: true,
    origins: null,
    trustProxy: 0,
    maxDocumentBytes: 5 * 1024 * 1024,
    ...DEFAULT_LIMITS,
    maxAnnotationImportBytes: defaultAnnotationImportBytes(5 * 1024 * 1024),
    secureCookies: false,
    logLevel: "silent",
    shutdownGraceMs: 2000,
    durability: "normal",
    redisUrl: null,
    redisPrefix: "gloss",
    databaseUrl: null,
    databasePool: 4,
    metricsToken: null,
    ...overrides,
  };
}
