/**
 * The authorisation matrix: every API route × every kind of caller → the expected status, in
 * ONE table driven by one loop. Each cell runs against fresh data (a new project with a manager, a
 * curator and an annotator, and a new session for the caller), so cells cannot affect each other and
 * state-changing routes can be checked for everyone. A last test compares the table with the routes
 * the app actually registers, so a new route without a row fails here.
 */

import { createApp } from "@gloss/server/app";
import { createApiToken, createSession, SESSION_COOKIE } from "@gloss/server/auth/sessions";
import type { Collab } from "@gloss/server/collab/index";
import { call, type Store } from "@gloss/server/db/store";
import { createInvite } from "@gloss/server/services/invites";
import { createRecommender } from "@gloss/server/services/suggestions/recommenders";
import { createUser } from "@gloss/server/services/users";
import { addRelation, addSpan, type LayerName, userLayer } from "@gloss/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PASSWORD, uniqueName } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededProject, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

const ACTORS = ["anonymous", "nonMember", "annotator", "curator", "manager", "admin"] as const;
type Actor = (typeof ACTORS)[number];
type Expect = Record<Actor, number>;

/** Expected statuses in the column order of ACTORS: anonymous, non-member, annotator, curator, manager, admin. */
const s = (...codes: [number, number, number, number, number, number]): Expect =>
  Object.fromEntries(ACTORS.map((a, i) => [a, codes[i]])) as Expect;

// the common shapes
const PUBLIC = (ok: number) => s(ok, ok, ok, ok, ok, ok);
const SIGNED_IN = (ok: number) => s(401, ok, ok, ok, ok, ok);
const ADMIN_ONLY = (ok: number) => s(401, 403, 403, 403, 403, ok);
const MEMBERS = (ok: number) => s(401, 404, ok, ok, ok, ok);
const MANAGERS = (ok: number) => s(401, 404, 403, 403, ok, ok);
const CURATORS = (ok: number) => s(401, 404, 403, ok, ok, ok);

/** What a row can use to build its request: a fresh project and the fixed cast. */
interface Cell {
  store: Store;
  project: SeededProject;
  /** The caller (null when anonymous). */
  me: SeededUser | null;
  cast: Record<Exclude<Actor, "anonymous">, SeededUser>;
  /** An account with a known password (DEFAULT_PASSWORD), for the sign-in row. */
  loginAs: string;
  collab: Collab;
}

/** A document assigned to the annotator, so every member can reach it (the layer decides the rest). */
const docFor = (c: Cell) => addDocument(c.store, c.project.id, DOC_TEXT, { assignTo: [c.cast.annotator] });
const DOC_TEXT = "The bridge is safe, officials said.";
const labelId = (c: Cell) => c.project.labels[0]!.id;
/** The token of a fresh account's invite link (made by the admin). */
const inviteFor = async (c: Cell) =>
  (await call(c.store, createInvite, (await addUser(c.store)).id, c.cast.admin.id)).token;

/** Puts spans into a layer through its live document (as the socket or the REST API would). */
async function seedSpans(c: Cell, documentId: number, layer: LayerName, n: number): Promise<string[]> {
  const ctx = { text: DOC_TEXT, labelIds: new Set(c.project.labels.map((l) => l.id)) };
  return c.collab.withDoc(documentId, layer, (doc) =>
    Array.from(
      { length: n },
      (_, i) => addSpan(doc, { start: i * 4, end: i * 4 + 3, label: labelId(c), author: null }, ctx).id,
    ),
  );
}

async function seedRelation(c: Cell, documentId: number, layer: LayerName): Promise<string> {
  const [from, to] = await seedSpans(c, documentId, layer, 2);
  const ctx = { text: DOC_TEXT, labelIds: new Set(c.project.labels.map((l) => l.id)) };
  return c.collab.withDoc(
    documentId,
    layer,
    (doc) => addRelation(doc, { from: from!, to: to!, type: "attributes", author: null }, ctx).id,
  );
}

type MaybePromise<T> = T | Promise<T>;

interface Row {
  /** Method and path exactly as registered in the app (so the coverage check can match them). */
  route: string;
  params?: (c: Cell) => MaybePromise<Record<string, number | string>>;
  /** Query string appended to the path (without "?"). */
  query?: (c: Cell) => string;
  body?: (c: Cell, params: Record<string, number | string>) => unknown;
  expect: Expect;
}

const MATRIX: Row[] = [
  // ───────────── public ─────────────
  { route: "GET /api/health", expect: PUBLIC(200) },
  // the figures are for operators (test/api/health-metrics.test.ts: also the GLOSS_METRICS_TOKEN)
  { route: "GET /api/metrics", expect: ADMIN_ONLY(200) },
  // the API's contract and its reference page: not a secret (a client generator fetches it without a token)
  { route: "GET /api/openapi.json", expect: PUBLIC(200) },
  { route: "GET /api/docs", expect: PUBLIC(200) },
  { route: "GET /api/docs/init.js", expect: PUBLIC(200) },
  { route: "GET /api/docs/assets/:file", params: () => ({ file: "swagger-ui.css" }), expect: PUBLIC(200) },

  // ───────────── accounts ─────────────
  {
    route: "POST /api/auth/register",
    body: () => ({ username: uniqueName(), password: DEFAULT_PASSWORD }),
    expect: PUBLIC(201),
  },
  {
    route: "POST /api/auth/login",
    body: (c) => ({ username: c.loginAs, password: DEFAULT_PASSWORD }),
    expect: PUBLIC(200),
  },
  { route: "POST /api/auth/logout", expect: PUBLIC(204) },
  { route: "GET /api/auth/me", expect: SIGNED_IN(200) },
  { route: "GET /api/auth/session", expect: PUBLIC(200) },
  {
    route: "GET /api/auth/invites/:token",
    params: async (c) => ({ token: await inviteFor(c) }),
    expect: PUBLIC(200),
  },
  {
    route: "POST /api/auth/invites/:token",
    params: async (c) => ({ token: await inviteFor(c) }),
    body: () => ({ password: DEFAULT_PASSWORD }),
    expect: PUBLIC(200),
  },
  { route: "GET /api/users", expect: ADMIN_ONLY(200) },
  {
    route: "PATCH /api/users/:id",
    params: async (c) => ({ id: (await addUser(c.store)).id }),
    body: () => ({ disabled: true }),
    expect: ADMIN_ONLY(200),
  },
  {
    route: "POST /api/users/:id/password",
    params: async (c) => ({ id: (await addUser(c.store)).id }),
    expect: ADMIN_ONLY(200),
  },
  {
    route: "POST /api/users",
    body: () => ({ username: uniqueName(), password: DEFAULT_PASSWORD }),
    expect: ADMIN_ONLY(201),
  },

  // ───────────── tokens (always the caller's own) ─────────────
  { route: "GET /api/tokens", expect: SIGNED_IN(200) },
  { route: "POST /api/tokens", body: () => ({ name: "matrix" }), expect: SIGNED_IN(201) },
  {
    route: "DELETE /api/tokens/:id",
    params: async (c) => ({
      id: (await call(c.store, createApiToken, (c.me ?? c.cast.manager).id, "to revoke")).row.id,
    }),
    expect: SIGNED_IN(204),
  },

  // a socket ticket names a room but grants nothing: the upgrade decides the room (test/collab/tickets.test.ts)
  { route: "POST /api/socket-ticket", body: () => ({ room: "doc/1/gold" }), expect: SIGNED_IN(201) },

  // ───────────── projects ─────────────
  { route: "GET /api/projects", expect: SIGNED_IN(200) },
  { route: "POST /api/projects", body: () => ({ name: "matrix project" }), expect: SIGNED_IN(201) },
  { route: "GET /api/projects/:id", params: (c) => ({ id: c.project.id }), expect: MEMBERS(200) },
  {
    route: "PATCH /api/projects/:id",
    params: (c) => ({ id: c.project.id }),
    body: () => ({ name: "renamed" }),
    expect: MANAGERS(200),
  },

  // ───────────── members ─────────────
  { route: "GET /api/projects/:id/members", params: (c) => ({ id: c.project.id }), expect: MEMBERS(200) },
  {
    route: "POST /api/projects/:id/members",
    params: (c) => ({ id: c.project.id }),
    body: async (c) => ({ username: (await addUser(c.store)).username, role: "annotator" }),
    expect: MANAGERS(201),
  },
  {
    route: "PATCH /api/projects/:id/members/:userId",
    params: (c) => ({ id: c.project.id, userId: c.cast.annotator.id }),
    body: () => ({ role: "curator" }),
    expect: MANAGERS(200),
  },
  {
    route: "DELETE /api/projects/:id/members/:userId",
    params: (c) => ({ id: c.project.id, userId: c.cast.annotator.id }),
    expect: MANAGERS(204),
  },

  // ───────────── labels ─────────────
  { route: "GET /api/projects/:id/labels", params: (c) => ({ id: c.project.id }), expect: MEMBERS(200) },
  {
    route: "POST /api/projects/:id/labels",
    params: (c) => ({ id: c.project.id }),
    body: () => ({ name: "new label" }),
    expect: MANAGERS(201),
  },
  {
    route: "PUT /api/projects/:id/labels/order",
    params: (c) => ({ id: c.project.id }),
    body: (c) => ({ order: c.project.labels.map((l) => l.id).reverse() }),
    expect: MANAGERS(200),
  },
  {
    route: "PATCH /api/projects/:id/labels/:labelId",
    params: (c) => ({ id: c.project.id, labelId: c.project.labels[0]!.id }),
    body: () => ({ color: "#123456" }),
    expect: MANAGERS(200),
  },
  {
    route: "DELETE /api/projects/:id/labels/:labelId",
    params: (c) => ({ id: c.project.id, labelId: c.project.labels[0]!.id }),
    expect: MANAGERS(204),
  },

  // ───────────── documents & assignments ─────────────
  {
    route: "POST /api/projects/:id/documents",
    params: (c) => ({ id: c.project.id }),
    body: () => ({ documents: [{ text: `matrix ${uniqueName()}`, name: "m.txt" }] }),
    expect: MANAGERS(201),
  },
  { route: "GET /api/projects/:id/documents", params: (c) => ({ id: c.project.id }), expect: MEMBERS(200) },
  {
    // annotators see the documents assigned to them; an unassigned one does not exist for them
    route: "GET /api/documents/:id",
    params: async (c) => ({
      id: (await addDocument(c.store, c.project.id, "assigned", { assignTo: [c.cast.annotator] })).id,
    }),
    expect: MEMBERS(200),
  },
  {
    route: "POST /api/projects/:id/assignments",
    params: (c) => ({ id: c.project.id }),
    body: async (c) => ({
      documentIds: [(await addDocument(c.store, c.project.id, "to assign")).id],
      userIds: [c.cast.annotator.id],
    }),
    expect: MANAGERS(201),
  },
  { route: "GET /api/projects/:id/assignments", params: (c) => ({ id: c.project.id }), expect: MEMBERS(200) },
  {
    route: "DELETE /api/projects/:id/assignments",
    params: (c) => ({ id: c.project.id }),
    body: async (c) => ({
      documentIds: [
        (await addDocument(c.store, c.project.id, "assigned", { assignTo: [c.cast.annotator] })).id,
      ],
      userIds: [c.cast.annotator.id],
    }),
    expect: MANAGERS(200),
  },
  { route: "GET /api/projects/:id/queue", params: (c) => ({ id: c.project.id }), expect: MEMBERS(200) },
  {
    // the caller's own assignment: everyone who has one may set its status (the admin is given one too)
    route: "PATCH /api/documents/:id/assignment",
    params: async (c) => ({
      id: (await addDocument(c.store, c.project.id, "mine", { assignTo: c.me ? [c.me] : [] })).id,
    }),
    body: () => ({ status: "in_progress" }),
    expect: s(401, 404, 200, 200, 200, 200),
  },

  // ───────────── live layers (annotators: their own layer; curators/managers: read all, write gold) ─────────────
  {
    route: "GET /api/documents/:id/layers",
    params: async (c) => ({ id: (await docFor(c)).id }),
    expect: MEMBERS(200),
  },
  {
    route: "GET /api/documents/:id/layers/:layer/spans",
    params: async (c) => ({ id: (await docFor(c)).id, layer: userLayer(c.cast.annotator.id) }),
    expect: MEMBERS(200),
  },
  {
    route: "POST /api/documents/:id/layers/:layer/spans",
    params: async (c) => ({ id: (await docFor(c)).id, layer: "gold" }),
    body: () => ({ start: 0, end: 3, label: "claim" }),
    expect: CURATORS(201),
  },
  {
    // the annotator's own layer: they mark it done or reopen it, and so may a manager (to reopen it)
    route: "PUT /api/documents/:id/layers/:layer/state",
    params: async (c) => ({ id: (await docFor(c)).id, layer: userLayer(c.cast.annotator.id) }),
    body: () => ({ status: "done" }),
    expect: s(401, 404, 200, 403, 200, 200),
  },
  {
    route: "GET /api/documents/:id/layers/:layer/state",
    params: async (c) => ({ id: (await docFor(c)).id, layer: userLayer(c.cast.annotator.id) }),
    expect: MEMBERS(200),
  },
  {
    route: "GET /api/documents/:id/layers/:layer/spans/:spanId",
    params: async (c) => {
      const id = (await docFor(c)).id;
      return { id, layer: "gold", spanId: (await seedSpans(c, id, "gold", 1))[0]! };
    },
    expect: CURATORS(200),
  },
  {
    route: "PATCH /api/documents/:id/layers/:layer/spans/:spanId",
    params: async (c) => {
      const id = (await docFor(c)).id;
      return { id, layer: "gold", spanId: (await seedSpans(c, id, "gold", 1))[0]! };
    },
    body: () => ({ note: "checked" }),
    expect: CURATORS(200),
  },
  {
    route: "DELETE /api/documents/:id/layers/:layer/spans/:spanId",
    params: async (c) => {
      const id = (await docFor(c)).id;
      return { id, layer: "gold", spanId: (await seedSpans(c, id, "gold", 1))[0]! };
    },
    expect: CURATORS(204),
  },
  {
    route: "GET /api/documents/:id/layers/:layer/relations",
    params: async (c) => ({ id: (await docFor(c)).id, layer: userLayer(c.cast.annotator.id) }),
    expect: MEMBERS(200),
  },
  {
    route: "POST /api/documents/:id/layers/:layer/relations",
    params: async (c) => {
      const id = (await docFor(c)).id;
      const [from, to] = await seedSpans(c, id, "gold", 2);
      return { id, layer: "gold", from: from!, to: to! };
    },
    body: (_c, p) => ({ from: p.from, to: p.to, type: "attributes" }),
    expect: CURATORS(201),
  },
  {
    route: "PATCH /api/documents/:id/layers/:layer/relations/:relationId",
    params: async (c) => {
      const id = (await docFor(c)).id;
      return { id, layer: "gold", relationId: await seedRelation(c, id, "gold") };
    },
    body: () => ({ type: "attributes" }),
    expect: CURATORS(200),
  },
  {
    route: "DELETE /api/documents/:id/layers/:layer/relations/:relationId",
    params: async (c) => {
      const id = (await docFor(c)).id;
      return { id, layer: "gold", relationId: await seedRelation(c, id, "gold") };
    },
    expect: CURATORS(204),
  },

  // ───────────── agreement, curation, export, annotation import ─────────────
  { route: "GET /api/projects/:id/agreement", params: (c) => ({ id: c.project.id }), expect: CURATORS(200) },
  { route: "GET /api/projects/:id/curation", params: (c) => ({ id: c.project.id }), expect: CURATORS(200) },
  {
    route: "GET /api/documents/:id/curation",
    params: async (c) => ({ id: (await docFor(c)).id }),
    expect: CURATORS(200),
  },
  {
    route: "POST /api/documents/:id/curation/auto-merge",
    params: async (c) => ({ id: (await docFor(c)).id }),
    body: () => ({}),
    expect: CURATORS(200),
  },
  {
    route: "POST /api/documents/:id/curation/decisions",
    params: async (c) => ({ id: (await docFor(c)).id }),
    body: (c) => ({ action: "edit", start: 0, end: 3, label: labelId(c) }),
    expect: CURATORS(200),
  },
  {
    route: "PUT /api/documents/:id/curation/status",
    params: async (c) => ({ id: (await docFor(c)).id }),
    body: () => ({ status: "in_progress" }),
    expect: CURATORS(200),
  },
  {
    route: "GET /api/projects/:id/export",
    params: (c) => ({ id: c.project.id }),
    query: () => "format=gloss&layer=gold",
    expect: CURATORS(200),
  },
  {
    // into gold: curators may, as managers do
    route: "POST /api/projects/:id/annotations/import",
    params: async (c) => ({ id: c.project.id, doc: (await docFor(c)).id }),
    query: () => "format=gloss&layer=gold",
    body: (_c, p) =>
      `${JSON.stringify({ id: p.doc, text: DOC_TEXT, spans: [{ start: 4, end: 10, label: "claim", text: "bridge" }] })}\n`,
    expect: CURATORS(200),
  },
];

/**
 * Suggestions (issue 14): a built-in recommender, and gold on another document that teaches it "bridge" is a
 * claim — so every member who annotates the document is proposed "bridge" there.
 */
async function suggestionFor(c: Cell): Promise<Record<string, number>> {
  const rec = await call(c.store, createRecommender, c.cast.manager.id, c.project.id, {
    name: "strings",
    kind: "string-match",
    config: { sources: ["gold"], caseSensitive: true, normalizeWhitespace: false },
    enabled: true,
  });
  const other = await addDocument(c.store, c.project.id, "A bridge too far.");
  const ctx = { text: "A bridge too far.", labelIds: new Set(c.project.labels.map((l) => l.id)) };
  await c.collab.withDoc(other.id, "gold", (doc) =>
    addSpan(doc, { start: 2, end: 8, label: labelId(c), author: null }, ctx),
  );
  return { id: (await docFor(c)).id, project: c.project.id, recommenderId: rec.id };
}
const SUGGESTION = (c: Cell, p: Record<string, number | string>) => ({
  recommender: p.recommenderId,
  start: 4,
  end: 10,
  label: labelId(c),
});
const recommenderOf = async (c: Cell) => ({
  id: c.project.id,
  recommenderId: (
    await call(c.store, createRecommender, c.cast.manager.id, c.project.id, {
      name: "strings",
      kind: "string-match",
      config: { sources: ["gold", "annotators"], caseSensitive: true, normalizeWhitespace: false },
      enabled: true,
    })
  ).id,
});
MATRIX.push(
  {
    route: "GET /api/projects/:id/recommenders",
    params: (c) => ({ id: c.project.id }),
    expect: MEMBERS(200),
  },
  {
    route: "POST /api/projects/:id/recommenders",
    params: (c) => ({ id: c.project.id }),
    body: () => ({ name: "strings", kind: "string-match" }),
    expect: MANAGERS(201),
  },
  {
    route: "PATCH /api/projects/:id/recommenders/:recommenderId",
    params: recommenderOf,
    body: () => ({ enabled: false }),
    expect: MANAGERS(200),
  },
  {
    route: "DELETE /api/projects/:id/recommenders/:recommenderId",
    params: recommenderOf,
    expect: MANAGERS(204),
  },
  {
    route: "GET /api/projects/:id/recommenders/:recommenderId/quality",
    params: recommenderOf,
    expect: CURATORS(200),
  },
  {
    // a built-in recommender has no backend to check: 409 once the caller may ask
    route: "POST /api/projects/:id/recommenders/:recommenderId/health",
    params: recommenderOf,
    expect: s(401, 404, 403, 403, 409, 409),
  },
  { route: "GET /api/documents/:id/suggestions", params: suggestionFor, expect: MEMBERS(200) },
  {
    route: "POST /api/documents/:id/suggestions/accept",
    params: suggestionFor,
    body: SUGGESTION,
    expect: MEMBERS(201),
  },
  {
    route: "POST /api/documents/:id/suggestions/reject",
    params: suggestionFor,
    body: SUGGESTION,
    expect: MEMBERS(204),
  },
  {
    route: "POST /api/documents/:id/suggestions/accept-all",
    params: suggestionFor,
    body: (c) => ({ label: labelId(c), threshold: 0.5 }),
    expect: MEMBERS(200),
  },
);

/** Routes the matrix deliberately leaves out (none yet): list them here with the reason. */
const NOT_IN_MATRIX: string[] = [];

describe("authorisation matrix", () => {
  let server: TestServer;
  let cast: Cell["cast"];
  let loginAs: string;

  beforeAll(async () => {
    server = await startServer();
    const store = server.store;
    cast = {
      nonMember: await addUser(store),
      annotator: await addUser(store),
      curator: await addUser(store),
      manager: await addUser(store),
      admin: await addUser(store, { admin: true }),
    };
    loginAs = (await createUser(store, { username: uniqueName("login"), password: DEFAULT_PASSWORD }))
      .username;
  });
  afterAll(async () => {
    await server.close();
  });

  /** Sends one row's request as one caller, on fresh data, and returns the status. */
  async function statusFor(row: Row, actor: Actor): Promise<number> {
    const store = server.store;
    const project = await addProject(store, {
      members: [
        { user: cast.manager, role: "manager" },
        { user: cast.curator, role: "curator" },
        { user: cast.annotator, role: "annotator" },
      ],
    });
    const me = actor === "anonymous" ? null : cast[actor];
    const cell: Cell = { store, project, me, cast, loginAs, collab: server.deps.collab };
    const [method, template] = row.route.split(" ") as [string, string];
    const params = (await row.params?.(cell)) ?? {};
    const path = template.replace(/:(\w+)/g, (_, name: string) => {
      if (!(name in params)) throw new Error(`${row.route}: no value for :${name}`);
      return String(params[name]);
    });
    const client = new ApiClient(server.url);
    // a fresh session per cell, so a sign-out row cannot log the cast out of later cells
    if (me) client.cookie = `${SESSION_COOKIE}=${(await call(store, createSession, me.id)).value}`;
    const query = row.query ? `?${row.query(cell)}` : "";
    const res = await client.request(method, path + query, await row.body?.(cell, params));
    await res.arrayBuffer();
    return res.status;
  }

  for (const row of MATRIX) {
    it(row.route, async () => {
      const got = {} as Expect;
      for (const actor of ACTORS) got[actor] = await statusFor(row, actor);
      expect(got).toEqual(row.expect);
    });
  }

  it("has exactly one row for every /api route the app registers", () => {
    const registered = new Set(
      createApp(server.deps)
        .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/"))
        .map((r) => `${r.method} ${r.path}`),
    );
    const rows = MATRIX.map((r) => r.route);
    expect(rows.length, "duplicate rows").toBe(new Set(rows).size);
    const missing = [...registered].filter((r) => !rows.includes(r) && !NOT_IN_MATRIX.includes(r));
    const stale = rows.filter((r) => !registered.has(r));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });
});
