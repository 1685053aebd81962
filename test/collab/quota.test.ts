/**
 * The per-layer storage quota (issue 17): at most `maxSpansPerLayer` spans, `maxRelationsPerLayer`
 * relations and `maxLayerBytes` bytes of records per layer, in the limits object. A socket update that
 * would pass it is refused whole (4422, the reason names the limit); a REST write is a 409 quota_exceeded
 * that names the limit. Nothing of a refused write is stored.
 */
import { addSpan, CloseCode, type LayerContext, listSpans } from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CollabClient, connectClient } from "../helpers/collab";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
const clients: CollabClient[] = [];
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

const TEXT = "Officials said the bridge was safe. Engineers said it was not. Nobody asked the river.";

async function world() {
  const ann = await addUser(server.store);
  const project = await addProject(server.store, {
    mode: "shared",
    members: [{ user: ann, role: "annotator" }],
  });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann] });
  const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  const api = new ApiClient(server.url);
  api.cookie = ann.cookie;
  return { ann, doc, ctx, api, label: project.labels[0]!.id };
}

const stored = (documentId: number) =>
  server.deps.collab.withDoc(documentId, "shared", (d) => listSpans(d).length);

describe("layer quota", () => {
  it("socket: an update past maxLayerBytes is refused with 4422 naming the limit; what fits stays", async () => {
    const { ann, doc, ctx, label } = await world();
    server.deps.collab.limits.maxLayerBytes = 1000;
    const c = connectClient(server, { documentId: doc.id, layer: "shared", auth: { cookie: ann.cookie } });
    clients.push(c);
    await c.synced();
    addSpan(c.doc, { start: 0, end: 9, label, author: ann.id }, ctx);
    await expect.poll(() => stored(doc.id)).toBe(1);
    // one update far over the quota (a long note), refused whole
    addSpan(c.doc, { start: 10, end: 16, label, author: ann.id, note: "x".repeat(2000) }, ctx);
    const closed = await c.closed();
    expect(closed.code).toBe(CloseCode.InvalidUpdate);
    expect(closed.reason).toMatch(/maxLayerBytes/);
    expect(await stored(doc.id)).toBe(1);
  });

  it("socket: one span past maxSpansPerLayer is refused naming the limit", async () => {
    const { ann, doc, ctx, label } = await world();
    server.deps.collab.limits.maxSpansPerLayer = 2;
    const c = connectClient(server, { documentId: doc.id, layer: "shared", auth: { cookie: ann.cookie } });
    clients.push(c);
    await c.synced();
    addSpan(c.doc, { start: 0, end: 9, label, author: ann.id }, ctx);
    addSpan(c.doc, { start: 10, end: 16, label, author: ann.id }, ctx);
    await expect.poll(() => stored(doc.id)).toBe(2);
    addSpan(c.doc, { start: 17, end: 20, label, author: ann.id }, ctx);
    const closed = await c.closed();
    expect(closed.code).toBe(CloseCode.InvalidUpdate);
    expect(closed.reason).toMatch(/maxSpansPerLayer/);
    expect(await stored(doc.id)).toBe(2);
  });

  it("REST: past maxSpansPerLayer or maxLayerBytes is a 409 quota_exceeded naming the limit, nothing stored", async () => {
    const { doc, api, label } = await world();
    const post = (body: Record<string, unknown>) =>
      api.request("POST", `/api/documents/${doc.id}/layers/shared/spans`, { label, ...body });
    server.deps.collab.limits.maxSpansPerLayer = 2;
    expect((await post({ start: 0, end: 9 })).status).toBe(201);
    expect((await post({ start: 10, end: 16 })).status).toBe(201);
    const full = await post({ start: 17, end: 20 });
    expect(full.status).toBe(409);
    expect(((await full.json()) as { error: unknown }).error).toMatchObject({
      code: "quota_exceeded",
      details: { limit: "maxSpansPerLayer", max: 2 },
    });
    expect(await stored(doc.id)).toBe(2);

    server.deps.collab.limits.maxSpansPerLayer = 1000;
    server.deps.collab.limits.maxLayerBytes = 600;
    const big = await post({ start: 17, end: 20, note: "y".repeat(500) });
    expect(big.status).toBe(409);
    const err = ((await big.json()) as { error: { message: string; details: unknown } }).error;
    expect(err.details).toEqual({ limit: "maxLayerBytes", max: 600 });
    expect(err.message).toMatch(/maxLayerBytes/);
    expect(await stored(doc.id)).toBe(2);
  });
});
