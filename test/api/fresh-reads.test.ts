/**
 * Reads that must see the latest edits (exports, agreement, layer listings) get them from one place: the
 * app flushes the pending projection before any request that reads it, however long the projection delay.
 */
import { addSpan, type LayerContext, userLayer } from "@gloss/shared";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type CollabClient, connectClient } from "../helpers/collab";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

const TEXT = "The minister denied it. Aides said he knew.";
let server: TestServer;
let client: CollabClient;
let ann: SeededUser;
let manager: SeededUser;
let projectId: number;
let documentId: number;
let ctx: LayerContext;

beforeEach(async () => {
  server = await startServer();
  // Long enough that nothing is projected on its own during the test.
  server.deps.collab.limits.projectionDelayMs = 60_000;
  ann = await addUser(server.store);
  manager = await addUser(server.store);
  const project = await addProject(server.store, {
    members: [
      { user: ann, role: "annotator" },
      { user: manager, role: "manager" },
    ],
  });
  projectId = project.id;
  documentId = (await addDocument(server.store, project.id, TEXT, { assignTo: [ann] })).id;
  ctx = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  client = connectClient(server, { documentId, layer: userLayer(ann.id), auth: { cookie: ann.cookie } });
  await client.synced();
  addSpan(client.doc, { start: 4, end: 12, label: project.labels[0]!.id, author: ann.id }, ctx);
  // The server has it (live doc) before we read; the projection has not been written.
  await expect
    .poll(() => server.deps.collab.withDoc(documentId, userLayer(ann.id), (d) => d.getMap("spans").size))
    .toBe(1);
});
afterEach(async () => {
  client.destroy();
  await server.close();
});

const api = () => {
  const c = new ApiClient(server.url);
  c.cookie = manager.cookie;
  return c;
};

it("an export right after a live edit holds it", async () => {
  const res = await api().request(
    "GET",
    `/api/projects/${projectId}/export?format=gloss&layer=${userLayer(ann.id)}`,
  );
  expect(res.status).toBe(200);
  const lines = (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  expect(lines.flatMap((l: { spans: Array<{ text: string }> }) => l.spans.map((s) => s.text))).toEqual([
    "minister",
  ]);
});

it("the layer listing right after a live edit counts it", async () => {
  const body = await api().get<{ layers: Array<{ layer: string; spans: number }> }>(
    `/api/documents/${documentId}/layers`,
  );
  expect(body.layers.find((l) => l.layer === userLayer(ann.id))?.spans).toBe(1);
});
