import { addSpan, type LayerContext, listSpans, removeSpan, updateSpan, userColor } from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CollabClient, connectClient } from "../helpers/collab";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
const clients: CollabClient[] = [];
const client = (opts: Parameters<typeof connectClient>[1]) => {
  const c = connectClient(server, opts);
  clients.push(c);
  return c;
};

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

async function sharedProject() {
  const alice = await addUser(server.store);
  const bob = await addUser(server.store);
  const project = await addProject(server.store, {
    mode: "shared",
    members: [
      { user: alice, role: "annotator" },
      { user: bob, role: "annotator" },
    ],
  });
  const text = "The minister said the plan was dead. Officials denied it.";
  const doc = await addDocument(server.store, project.id, text, { assignTo: [alice, bob] });
  const ctx: LayerContext = { text, labelIds: new Set(project.labels.map((l) => l.id)) };
  return { alice, bob, project, doc, ctx };
}

describe("live layers", () => {
  it("two users in a shared-mode project see each other's spans", async () => {
    const { alice, bob, project, doc, ctx } = await sharedProject();
    const a = client({ documentId: doc.id, layer: "shared", auth: { cookie: alice.cookie } });
    const b = client({ documentId: doc.id, layer: "shared", auth: { token: bob.token } });
    await Promise.all([a.synced(), b.synced()]);

    const claim = project.labels[0]!.id;
    const span = addSpan(a.doc, { start: 4, end: 12, label: claim, author: alice.id }, ctx);
    await expect.poll(() => listSpans(b.doc).map((s) => s.id)).toEqual([span.id]);

    updateSpan(b.doc, span.id, { end: 16 }, ctx);
    await expect.poll(() => listSpans(a.doc)[0]?.end).toBe(16);

    removeSpan(a.doc, span.id);
    await expect.poll(() => listSpans(b.doc)).toEqual([]);
    expect(server.deps.collab.stats()).toEqual({ rooms: 1, connections: 2 });
  });

  it("a late joiner receives the state, and it survives the room unloading", async () => {
    const { alice, bob, project, doc, ctx } = await sharedProject();
    const a = client({ documentId: doc.id, layer: "shared", auth: { cookie: alice.cookie } });
    await a.synced();
    const s = addSpan(a.doc, { start: 0, end: 3, label: project.labels[1]!.id, author: alice.id }, ctx);
    await expect.poll(() => server.deps.collab.metrics().persisted).toBeGreaterThan(0);
    a.destroy();
    await expect.poll(() => server.deps.collab.metrics().liveDocs).toBe(0);

    const b = client({ documentId: doc.id, layer: "shared", auth: { cookie: bob.cookie } });
    await b.synced();
    expect(listSpans(b.doc)).toEqual([{ ...s }]);
  });

  it("relays awareness and removes a closed connection's state", async () => {
    const { alice, bob, doc } = await sharedProject();
    const a = client({ documentId: doc.id, layer: "shared", auth: { cookie: alice.cookie } });
    const b = client({ documentId: doc.id, layer: "shared", auth: { cookie: bob.cookie } });
    await Promise.all([a.synced(), b.synced()]);
    a.provider.awareness.setLocalStateField("user", { name: "alice" });
    a.provider.awareness.setLocalStateField("cursor", 3);
    // Relayed with the identity the server stamps (the authenticated user), whatever the client wrote.
    await expect
      .poll(() => b.provider.awareness.getStates().get(a.doc.clientID))
      .toEqual({ user: { id: alice.id, name: alice.username, color: userColor(alice.id) }, cursor: 3 });

    // A third client joining later learns of alice from the server's awareness.
    const c = client({ documentId: doc.id, layer: "shared", auth: { cookie: bob.cookie } });
    await c.synced();
    await expect.poll(() => c.provider.awareness.getStates().has(a.doc.clientID)).toBe(true);

    // Closing the socket (not a polite goodbye) removes alice's state everywhere.
    (a.provider.ws as unknown as { terminate(): void }).terminate();
    a.provider.shouldConnect = false;
    await expect.poll(() => b.provider.awareness.getStates().has(a.doc.clientID)).toBe(false);
  });
});
