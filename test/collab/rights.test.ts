/**
 * Rights follow the user live: membership, role, token, session, layer and curation state changes take
 * effect on open sockets at once (closed with 4401/4403/4404, or narrowed to read-only), not only at the
 * next upgrade. And finished work is read-only, on the socket and over REST.
 */

import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { call, run } from "@gloss/server/db/store";
import { addSpan, CloseCode, type LayerContext, type LayerName, listSpans, userLayer } from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseUrlFor, onPostgres } from "../helpers/backend";
import { type CollabClient, connectClient } from "../helpers/collab";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

const TEXT = "The ministry denied the report. Officials said it was false.";

let server: TestServer;
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

let manager: SeededUser;
let curator: SeededUser;
let ann: SeededUser;
let other: SeededUser;
let projectId: number;
let documentId: number;
let ctx: LayerContext;
let label: number;

beforeEach(async () => {
  server = await startServer();
  [manager, curator, ann, other] = [
    await addUser(server.store),
    await addUser(server.store),
    await addUser(server.store),
    await addUser(server.store),
  ];
  const project = await addProject(server.store, {
    members: [
      { user: manager, role: "manager" },
      { user: curator, role: "curator" },
      { user: ann, role: "annotator" },
      { user: other, role: "annotator" },
    ],
  });
  projectId = project.id;
  documentId = (await addDocument(server.store, project.id, TEXT, { assignTo: [ann, other] })).id;
  label = project.labels[0]!.id;
  ctx = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
});

const api = (u: SeededUser) => {
  const c = new ApiClient(server.url);
  c.cookie = u.cookie;
  return c;
};
function connect(u: SeededUser, layer: LayerName) {
  const c = connectClient(server, { documentId, layer, auth: { cookie: u.cookie } });
  clients.push(c);
  return c;
}
const spanCount = (layer: LayerName) =>
  server.deps.collab.withDoc(documentId, layer, (d) => d.getMap("spans").size);

describe("rights on open sockets", () => {
  it("a member removed from the project is disconnected at once", async () => {
    const c = connect(ann, userLayer(ann.id));
    await c.synced();
    await api(manager).delete(`/api/projects/${projectId}/members/${ann.id}`);
    const { code } = await c.closed();
    expect([CloseCode.Forbidden, CloseCode.NotFound]).toContain(code);
    // And what it writes afterwards never lands.
    addSpan(c.doc, { start: 0, end: 3, label, author: ann.id }, ctx);
    await server.deps.collab.flush();
    expect(await spanCount(userLayer(ann.id))).toBe(0);
  });

  it("a revoked API token stops writing at once", async () => {
    const created = await api(ann).post<{ id: number; token: string }>("/api/tokens", { name: "script" });
    const c = connectClient(server, { documentId, layer: userLayer(ann.id), auth: { token: created.token } });
    clients.push(c);
    await c.synced();
    await api(ann).delete(`/api/tokens/${created.id}`);
    expect((await c.closed()).code).toBe(CloseCode.Unauthorized);
  });

  it("a curator who signs out stops writing gold at once", async () => {
    const c = connect(curator, "gold");
    await c.synced();
    await api(curator).post("/api/auth/logout");
    expect((await c.closed()).code).toBe(CloseCode.Unauthorized);
    addSpan(c.doc, { start: 0, end: 3, label, author: curator.id }, ctx);
    await server.deps.collab.flush();
    expect(await spanCount("gold")).toBe(0);
  });

  it("a session that expires while its socket is open is closed within the credential sweep", async () => {
    server.deps.collab.limits.credentialSweepMs = 100;
    const created = await api(ann).post<{ id: number; token: string }>("/api/tokens", { name: "script" });
    const c = connect(ann, userLayer(ann.id));
    const token = connectClient(server, {
      documentId,
      layer: userLayer(ann.id),
      auth: { token: created.token },
    });
    clients.push(token);
    await Promise.all([c.synced(), token.synced()]);
    // Nobody asks the server anything: the session's time just runs out.
    await call(server.store, function* (s) {
      yield* run(s.q.update(s.t.sessions).set({ expiresAt: Date.now() - 1 }));
    });
    expect((await c.closed()).code).toBe(CloseCode.Unauthorized);
    addSpan(c.doc, { start: 0, end: 3, label, author: ann.id }, ctx);
    await server.deps.collab.flush();
    expect(await spanCount(userLayer(ann.id))).toBe(0);
    // A token's socket does not depend on sessions and stays.
    addSpan(token.doc, { start: 4, end: 12, label, author: ann.id }, ctx);
    await expect.poll(() => spanCount(userLayer(ann.id))).toBe(1);
  });

  it("a curator demoted to annotator stops receiving another annotator's spans", async () => {
    const watching = connect(curator, userLayer(other.id));
    await watching.synced();
    const writer = connect(other, userLayer(other.id));
    await writer.synced();
    await api(manager).patch(`/api/projects/${projectId}/members/${curator.id}`, { role: "annotator" });
    const { code } = await watching.closed();
    expect([CloseCode.Forbidden, CloseCode.NotFound]).toContain(code);
    addSpan(writer.doc, { start: 0, end: 3, label, author: other.id, note: "private" }, ctx);
    await expect.poll(() => spanCount(userLayer(other.id))).toBe(1);
    expect(listSpans(watching.doc)).toEqual([]);
  });
});

describe("rights changed by another process", () => {
  it("a membership deleted by another process closes the socket within a second", async () => {
    await server.close();
    server = await startServer({ file: true });
    const u = await addUser(server.store);
    const p = await addProject(server.store, { members: [{ user: u, role: "annotator" }] });
    const d = (await addDocument(server.store, p.id, TEXT, { assignTo: [u] })).id;
    const c = connectClient(server, { documentId: d, layer: userLayer(u.id), auth: { cookie: u.cookie } });
    clients.push(c);
    await c.synced();
    // Another process (an operator's script, the CLI): not through this server's API. On PostgreSQL the
    // same two deletes in one transaction of another client of the server's database.
    const script = onPostgres
      ? `const pg = require("pg");
      const c = new pg.Client({ connectionString: process.argv[1] });
      const id = Number(process.argv[2]);
      (async () => {
        await c.connect();
        await c.query("BEGIN");
        await c.query("DELETE FROM project_members WHERE user_id = $1", [id]);
        await c.query("DELETE FROM assignments WHERE user_id = $1", [id]);
        await c.query("COMMIT");
        await c.end();
      })().catch((err) => { console.error(err); process.exit(1); });`
      : `const db = require("better-sqlite3")(process.argv[1]);
      db.prepare("DELETE FROM project_members WHERE user_id = ?").run(Number(process.argv[2]));
      db.prepare("DELETE FROM assignments WHERE user_id = ?").run(Number(process.argv[2]));`;
    const target = onPostgres ? await databaseUrlFor(server.dataDir) : path.join(server.dataDir, "gloss.db");
    execFileSync(process.execPath, ["-e", script, target, String(u.id)], {
      cwd: path.resolve(fileURLToPath(import.meta.url), "../../../server"),
    });
    const committed = Date.now();
    const { code } = await c.closed();
    expect([CloseCode.Forbidden, CloseCode.NotFound]).toContain(code);
    expect(Date.now() - committed).toBeLessThan(1_000);
  });
});

describe("finished work is read-only", () => {
  it("an annotator's done layer takes no writes (socket or REST) until reopened", async () => {
    const layer = userLayer(ann.id);
    const c = connect(ann, layer);
    await c.synced();
    addSpan(c.doc, { start: 0, end: 3, label, author: ann.id }, ctx);
    await expect.poll(() => spanCount(layer)).toBe(1);

    await api(ann).json("PUT", `/api/documents/${documentId}/layers/${layer}/state`, { status: "done" });
    await server.deps.collab.flush();
    // Socket writes are dropped now; REST writes get a clear 409.
    addSpan(c.doc, { start: 4, end: 12, label, author: ann.id }, ctx);
    await new Promise((r) => setTimeout(r, 200));
    await server.deps.collab.flush();
    expect(await spanCount(layer)).toBe(1);
    const rest = await api(ann).request("POST", `/api/documents/${documentId}/layers/${layer}/spans`, {
      start: 13,
      end: 19,
      label,
    });
    expect(rest.status).toBe(409);
    expect(((await rest.json()) as { error: { message: string } }).error.message).toMatch(/done/);

    // A manager may reopen it (so may its annotator); writes are accepted again.
    await api(manager).json("PUT", `/api/documents/${documentId}/layers/${layer}/state`, {
      status: "in_progress",
    });
    await server.deps.collab.flush();
    const again = await api(ann).request("POST", `/api/documents/${documentId}/layers/${layer}/spans`, {
      start: 13,
      end: 19,
      label,
    });
    expect(again.status).toBe(201);
    // Another annotator may not change this layer's status.
    const foreign = await api(other).request("PUT", `/api/documents/${documentId}/layers/${layer}/state`, {
      status: "done",
    });
    expect([403, 404]).toContain(foreign.status);
  });

  it("curation done locks every annotator layer of the document", async () => {
    const layer = userLayer(ann.id);
    const c = connect(ann, layer);
    await c.synced();
    await api(curator).json("PUT", `/api/documents/${documentId}/curation/status`, { status: "done" });
    await server.deps.collab.flush();
    addSpan(c.doc, { start: 0, end: 3, label, author: ann.id }, ctx);
    await new Promise((r) => setTimeout(r, 200));
    await server.deps.collab.flush();
    expect(await spanCount(layer)).toBe(0);
    const reopen = await api(ann).request("PUT", `/api/documents/${documentId}/layers/${layer}/state`, {
      status: "in_progress",
    });
    expect(reopen.status).toBe(409);
    // Reopening curation unlocks them.
    await api(curator).json("PUT", `/api/documents/${documentId}/curation/status`, { status: "in_progress" });
    await server.deps.collab.flush();
    const rest = await api(ann).request("POST", `/api/documents/${documentId}/layers/${layer}/spans`, {
      start: 0,
      end: 3,
      label,
    });
    expect(rest.status).toBe(201);
  });
});
