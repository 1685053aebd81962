/**
 * Awareness is bounded and the server's word on who is who: a state over the size bound, too many client
 * ids for a connection or for a user, close the socket with 4430; every relayed state carries the
 * authenticated user's identity, whatever the client claimed.
 */
import { CloseCode, userColor } from "@gloss/shared";
import * as encoding from "lib0/encoding";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CollabClient, collabPath, connectClient, rawSocket } from "../helpers/collab";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
const clients: CollabClient[] = [];
let manager: SeededUser;
let mallory: SeededUser;
let curator: SeededUser;
let documentId: number;

beforeEach(async () => {
  server = await startServer();
  manager = await addUser(server.store);
  mallory = await addUser(server.store);
  curator = await addUser(server.store);
  const project = await addProject(server.store, {
    mode: "shared",
    members: [
      { user: manager, role: "manager" },
      { user: mallory, role: "annotator" },
      { user: curator, role: "curator" },
    ],
  });
  documentId = (
    await addDocument(server.store, project.id, "Some text to annotate.", { assignTo: [mallory] })
  ).id;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

/** An awareness frame (message type 1) for the given client ids and states. */
function awarenessFrame(entries: Array<{ clientID: number; clock: number; state: unknown }>): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(inner, e.clientID);
    encoding.writeVarUint(inner, e.clock);
    encoding.writeVarString(inner, JSON.stringify(e.state));
  }
  const outer = encoding.createEncoder();
  encoding.writeVarUint(outer, 1);
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
  return encoding.toUint8Array(outer);
}

async function openRaw(u: SeededUser) {
  const sock = rawSocket(server, collabPath(documentId, "shared"), { auth: { token: u.token } });
  await sock.next();
  return sock;
}

describe("awareness", () => {
  it("a state claiming another user's identity is relayed as the sender's", async () => {
    const watcher = connectClient(server, { documentId, layer: "shared", auth: { cookie: curator.cookie } });
    clients.push(watcher);
    await watcher.synced();
    const sock = await openRaw(mallory);
    sock.send(
      awarenessFrame([
        {
          clientID: 4242,
          clock: 1,
          state: { user: { id: manager.id, name: manager.username, color: "#000" }, cursor: 3 },
        },
      ]),
    );
    await expect.poll(() => watcher.provider.awareness.getStates().get(4242)).toBeTruthy();
    const seen = watcher.provider.awareness.getStates().get(4242) as { user: unknown; cursor: number };
    expect(seen.user).toEqual({ id: mallory.id, name: mallory.username, color: userColor(mallory.id) });
    expect(seen.cursor).toBe(3);
    sock.close();
  });

  it("a state over the size bound closes the socket with 4430 and is not kept", async () => {
    const sock = await openRaw(mallory);
    sock.send(awarenessFrame([{ clientID: 7, clock: 1, state: { pad: "x".repeat(480 * 1024) } }]));
    expect((await sock.closed).code).toBe(CloseCode.AwarenessLimit);
    expect(server.deps.collab.metrics().awarenessRefused).toBe(1);
  });

  it("too many client ids on one connection, or for one user over several, close with 4430", async () => {
    Object.assign(server.deps.collab.limits, {
      maxAwarenessClientsPerConnection: 2,
      maxAwarenessClientsPerUser: 4,
    });
    const one = await openRaw(mallory);
    one.send(awarenessFrame([1, 2, 3].map((i) => ({ clientID: 100 + i, clock: 1, state: { i } }))));
    expect((await one.closed).code).toBe(CloseCode.AwarenessLimit);

    const watcher = connectClient(server, { documentId, layer: "shared", auth: { cookie: curator.cookie } });
    clients.push(watcher);
    await watcher.synced();
    const a = await openRaw(mallory);
    const b = await openRaw(mallory);
    a.send(awarenessFrame([201, 202].map((clientID) => ({ clientID, clock: 1, state: {} }))));
    b.send(awarenessFrame([203, 204].map((clientID) => ({ clientID, clock: 1, state: {} }))));
    await expect
      .poll(() => [201, 202, 203, 204].every((id) => watcher.provider.awareness.getStates().has(id)))
      .toBe(true);
    // Within its connection's bound, over the user's: the fifth id.
    const c = await openRaw(mallory);
    c.send(awarenessFrame([{ clientID: 205, clock: 1, state: {} }]));
    expect((await c.closed).code).toBe(CloseCode.AwarenessLimit);
    expect(watcher.provider.awareness.getStates().has(205)).toBe(false);
    // Another user is not affected by mallory's count.
    const d = rawSocket(server, collabPath(documentId, "shared"), { auth: { token: manager.token } });
    await d.next();
    d.send(awarenessFrame([{ clientID: 301, clock: 1, state: {} }]));
    await expect.poll(() => watcher.provider.awareness.getStates().has(301)).toBe(true);
    for (const s of [a, b, d]) s.close();
  });

  it("a flood of awareness updates from one client keeps one state", async () => {
    const sock = await openRaw(mallory);
    for (let clock = 1; clock <= 2000; clock++)
      sock.send(awarenessFrame([{ clientID: 9, clock, state: { clock } }]));
    const watcher = connectClient(server, { documentId, layer: "shared", auth: { cookie: curator.cookie } });
    clients.push(watcher);
    await watcher.synced();
    await expect
      .poll(() => (watcher.provider.awareness.getStates().get(9) as { clock?: number } | undefined)?.clock)
      .toBe(2000);
    // The watcher's own state and the flooder's one.
    expect([...watcher.provider.awareness.getStates().keys()].filter((k) => k === 9)).toHaveLength(1);
    sock.close();
  });
});
