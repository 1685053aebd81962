/**
 * Factories that write straight to a real (migrated) database: for tests that need users, projects,
 * documents and assignments without going through the HTTP routes under test. Written once over the store
 * (generators, as the services are): `addUser(store)` & co. on either database (a test server's
 * `server.store`), `seedUser(db)` & co. synchronously on SQLite (benchmarks, browser tests).
 */
import { createHash } from "node:crypto";
import { createApiToken, createSession, SESSION_COOKIE } from "@gloss/server/auth/sessions";
import type { Db } from "@gloss/server/db/client";
import { all, call, callSync, type Gen, get, run, type Store } from "@gloss/server/db/store";
import { DEFAULT_LABELS, DEFAULT_RELATION_TYPES, type ProjectMode, type Role } from "@gloss/shared";

let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}${Math.random().toString(36).slice(2, 6)}`;

// A fixed, valid scrypt hash: seeded users sign in through sessions, not passwords.
const NO_PASSWORD = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export interface SeededUser {
  id: number;
  username: string;
  /** `gloss_session=…` for a Cookie header. */
  cookie: string;
  /** A personal API token. */
  token: string;
}

type UserOpts = { username?: string; admin?: boolean; displayName?: string };

function* userSeed(store: Store, opts: UserOpts = {}): Gen<SeededUser> {
  const username = opts.username ?? unique("user");
  const row = (yield* get(
    store.q
      .insert(store.t.users)
      .values({
        username,
        displayName: opts.displayName ?? username,
        passwordHash: NO_PASSWORD,
        isAdmin: !!opts.admin,
      })
      .returning(),
  ))!;
  const session = yield* createSession(store, row.id);
  const { token } = yield* createApiToken(store, row.id, "test");
  return { id: row.id, username, cookie: `${SESSION_COOKIE}=${session.value}`, token };
}

export interface SeededProject {
  id: number;
  labels: Array<{ id: number; name: string }>;
}

type ProjectOpts = {
  name?: string;
  mode?: ProjectMode;
  members?: Array<{ user: { id: number }; role: Role }>;
  labels?: string[];
};

function* projectSeed(store: Store, opts: ProjectOpts = {}): Gen<SeededProject> {
  const { labels, projectMembers, projects } = store.t;
  const p = (yield* get(
    store.q
      .insert(projects)
      .values({
        name: opts.name ?? unique("project"),
        mode: opts.mode ?? "independent",
        relationTypes: [...DEFAULT_RELATION_TYPES],
      })
      .returning(),
  ))!;
  const defs = opts.labels
    ? opts.labels.map((name, i) => ({ name, color: "#0072b2", hotkey: String(i + 1), description: "" }))
    : DEFAULT_LABELS;
  const ls = yield* all(
    store.q
      .insert(labels)
      .values(
        defs.map((l, order) => ({
          projectId: p.id,
          name: l.name,
          color: l.color,
          hotkey: l.hotkey,
          description: l.description,
          order,
        })),
      )
      .returning(),
  );
  ls.sort((a, b) => a.order - b.order);
  for (const m of opts.members ?? [])
    yield* run(store.q.insert(projectMembers).values({ projectId: p.id, userId: m.user.id, role: m.role }));
  return { id: p.id, labels: ls.map((l) => ({ id: l.id, name: l.name })) };
}

type DocumentOpts = { name?: string; assignTo?: Array<{ id: number }> };

function* documentSeed(
  store: Store,
  projectId: number,
  text: string,
  opts: DocumentOpts = {},
): Gen<{ id: number; text: string }> {
  const { assignments, documents } = store.t;
  const d = (yield* get(
    store.q
      .insert(documents)
      .values({
        projectId,
        name: opts.name ?? unique("doc"),
        text,
        sha256: createHash("sha256").update(text, "utf8").digest("hex"),
        length: text.length,
      })
      .returning(),
  ))!;
  for (const u of opts.assignTo ?? [])
    yield* run(store.q.insert(assignments).values({ documentId: d.id, userId: u.id }));
  return { id: d.id, text };
}

/** A user with a session cookie and an API token, on either database. */
export const addUser = (store: Store, opts: UserOpts = {}): Promise<SeededUser> =>
  call(store, userSeed, opts);

/** A project with its labels (the defaults, or `labels`) and members, on either database. */
export const addProject = (store: Store, opts: ProjectOpts = {}): Promise<SeededProject> =>
  call(store, projectSeed, opts);

/** A document (its sha256 computed) assigned to `assignTo`, on either database. */
export const addDocument = (
  store: Store,
  projectId: number,
  text: string,
  opts: DocumentOpts = {},
): Promise<{ id: number; text: string }> => call(store, documentSeed, projectId, text, opts);

/** `addUser` on SQLite, synchronously. */
export const seedUser = (db: Db, opts: UserOpts = {}): SeededUser => callSync(db, userSeed, opts);

/** `addProject` on SQLite, synchronously. */
export const seedProject = (db: Db, opts: ProjectOpts = {}): SeededProject => callSync(db, projectSeed, opts);

/** `addDocument` on SQLite, synchronously. */
export const seedDocument = (
  db: Db,
  projectId: number,
  text: string,
  opts: DocumentOpts = {},
): { id: number; text: string } => callSync(db, documentSeed, projectId, text, opts);
