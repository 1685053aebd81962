/**
 * Factories that write straight to a real (migrated) database: for tests that need users, projects,
 * documents and assignments without going through the HTTP routes under test.
 */
import { createHash } from "node:crypto";
import { createApiToken, createSession, SESSION_COOKIE } from "@gloss/server/auth/sessions";
import type { Db } from "@gloss/server/db/client";
import { assignments, documents, labels, projectMembers, projects, users } from "@gloss/server/db/schema";
import { callSync } from "@gloss/server/db/store";
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

export function seedUser(
  db: Db,
  opts: { username?: string; admin?: boolean; displayName?: string } = {},
): SeededUser {
  const username = opts.username ?? unique("user");
  const row = db
    .insert(users)
    .values({
      username,
      displayName: opts.displayName ?? username,
      passwordHash: NO_PASSWORD,
      isAdmin: !!opts.admin,
    })
    .returning()
    .get();
  const session = callSync(db, createSession, row.id);
  const { token } = callSync(db, createApiToken, row.id, "test");
  return { id: row.id, username, cookie: `${SESSION_COOKIE}=${session.value}`, token };
}

export interface SeededProject {
  id: number;
  labels: Array<{ id: number; name: string }>;
}

export function seedProject(
  db: Db,
  opts: {
    name?: string;
    mode?: ProjectMode;
    members?: Array<{ user: { id: number }; role: Role }>;
    labels?: string[];
  } = {},
): SeededProject {
  const p = db
    .insert(projects)
    .values({
      name: opts.name ?? unique("project"),
      mode: opts.mode ?? "independent",
      relationTypes: [...DEFAULT_RELATION_TYPES],
    })
    .returning()
    .get();
  const defs = opts.labels
    ? opts.labels.map((name, i) => ({ name, color: "#0072b2", hotkey: String(i + 1), description: "" }))
    : DEFAULT_LABELS;
  const ls = defs.map((l, order) =>
    db
      .insert(labels)
      .values({
        projectId: p.id,
        name: l.name,
        color: l.color,
        hotkey: l.hotkey,
        description: l.description,
        order,
      })
      .returning()
      .get(),
  );
  for (const m of opts.members ?? []) {
    db.insert(projectMembers).values({ projectId: p.id, userId: m.user.id, role: m.role }).run();
  }
  return { id: p.id, labels: ls.map((l) => ({ id: l.id, name: l.name })) };
}

export function seedDocument(
  db: Db,
  projectId: number,
  text: string,
  opts: { name?: string; assignTo?: Array<{ id: number }> } = {},
): { id: number; text: string } {
  const d = db
    .insert(documents)
    .values({
      projectId,
      name: opts.name ?? unique("doc"),
      text,
      sha256: createHash("sha256").update(text, "utf8").digest("hex"),
      length: text.length,
    })
    .returning()
    .get();
  for (const u of opts.assignTo ?? [])
    db.insert(assignments).values({ documentId: d.id, userId: u.id }).run();
  return { id: d.id, text };
}
