/**
 * HTTP-level factories: accounts, sessions, tokens, projects and members made through the real API
 * (as a browser or a script would), plus a runner for the `gloss` CLI as a child process.
 * For data the routes under test do not create, use the direct DB factories in ./seed.
 */

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CreatedTokenDto, CreateProjectBody, MemberDto, ProjectDto, Role, UserDto } from "@gloss/shared";
import { afterEach, beforeEach } from "vitest";
import { databaseUrlFor, onPostgres } from "./backend";
import { ApiClient } from "./http";
import { startServer, type TestServer } from "./server";

let seq = 0;
/** A name no other test uses (valid as a username). */
export const uniqueName = (prefix = "user") => `${prefix}${++seq}_${Math.random().toString(36).slice(2, 7)}`;

/** The password the factories give accounts unless told otherwise. */
export const DEFAULT_PASSWORD = "correct horse battery staple";

export interface ApiUser {
  client: ApiClient;
  user: UserDto;
  username: string;
  password: string;
}

/** Registers an account through POST /auth/register; the returned client holds its session cookie. */
export async function registerUser(
  baseUrl: string,
  opts: { username?: string; password?: string; displayName?: string } = {},
): Promise<ApiUser> {
  const client = new ApiClient(baseUrl);
  const username = opts.username ?? uniqueName();
  const password = opts.password ?? DEFAULT_PASSWORD;
  const user = await client.json<UserDto>(
    "POST",
    "/api/auth/register",
    { username, password, displayName: opts.displayName },
    201,
  );
  return { client, user, username, password };
}

/** Signs in through POST /auth/login; returns a client holding the new session cookie. */
export async function loginUser(
  baseUrl: string,
  username: string,
  password = DEFAULT_PASSWORD,
): Promise<ApiClient> {
  const client = new ApiClient(baseUrl);
  await client.json("POST", "/api/auth/login", { username, password }, 200);
  return client;
}

/** Creates a personal API token through POST /tokens. */
export function createToken(client: ApiClient, name = uniqueName("token")): Promise<CreatedTokenDto> {
  return client.json<CreatedTokenDto>("POST", "/api/tokens", { name }, 201);
}

/** A client that authenticates like a script: bearer token, no cookie, no Origin. */
export function tokenClient(baseUrl: string, token: string): ApiClient {
  const client = new ApiClient(baseUrl);
  client.token = token;
  return client;
}

/** Creates a project through POST /projects (the client's user becomes its manager). */
export function createProject(client: ApiClient, body: Partial<CreateProjectBody> = {}): Promise<ProjectDto> {
  return client.json<ProjectDto>("POST", "/api/projects", { name: uniqueName("project"), ...body }, 201);
}

/** Adds a member through POST /projects/:id/members. */
export function addMember(
  client: ApiClient,
  projectId: number,
  username: string,
  role: Role,
): Promise<MemberDto> {
  return client.json<MemberDto>("POST", `/api/projects/${projectId}/members`, { username, role }, 201);
}

export interface Team {
  project: ProjectDto;
  /** Registered first, so on a fresh server it is the instance admin (check `admin.user.isAdmin`). */
  admin: ApiUser;
  manager: ApiUser;
  curator: ApiUser;
  annotator: ApiUser;
  /** Signed in, but not a member of the project. */
  outsider: ApiUser;
}

/**
 * A project made by a manager, with a curator, an annotator, and an outsider who is not a member.
 * An admin account is registered first (alone), so that none of the others can become the first
 * account, i.e. the instance admin, by winning a race.
 */
export async function createTeam(baseUrl: string, body: Partial<CreateProjectBody> = {}): Promise<Team> {
  const admin = await registerUser(baseUrl, { username: uniqueName("admin") });
  const [manager, curator, annotator, outsider] = await Promise.all([
    registerUser(baseUrl, { username: uniqueName("manager") }),
    registerUser(baseUrl, { username: uniqueName("curator") }),
    registerUser(baseUrl, { username: uniqueName("annotator") }),
    registerUser(baseUrl, { username: uniqueName("outsider") }),
  ]);
  const project = await createProject(manager.client, body);
  await addMember(manager.client, project.id, curator.username, "curator");
  await addMember(manager.client, project.id, annotator.username, "annotator");
  return { project, admin, manager, curator, annotator, outsider };
}

/**
 * A fresh server (own migrated in-memory SQLite) for every test in the enclosing describe/file;
 * read `ctx.server` inside tests.
 */
export function useServer(opts: Parameters<typeof startServer>[0] = {}): { server: TestServer } {
  const ctx = {} as { server: TestServer };
  beforeEach(async () => {
    ctx.server = await startServer(opts);
  });
  afterEach(async () => {
    // a failed start leaves nothing to close; don't bury its error under a second one
    await ctx.server?.close();
    (ctx as Partial<typeof ctx>).server = undefined;
  });
  return ctx;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `gloss <args…>` as a child process on the database in `dataDir` (on `pnpm test:postgres`, the
 * PostgreSQL database standing for it; or the one `env` names, e.g. GLOSS_DATABASE_URL), feeding `input`
 * to stdin.
 */
export async function runCli(
  args: string[],
  opts: { dataDir: string; input?: string; env?: Record<string, string> },
): Promise<CliResult> {
  const pg: Record<string, string> = onPostgres
    ? { GLOSS_DATABASE_URL: await databaseUrlFor(opts.dataDir) }
    : {};
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/src/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, GLOSS_DATA_DIR: opts.dataDir, GLOSS_LOG_LEVEL: "silent", ...pg, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}
