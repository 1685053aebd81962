import { type LayerContext, listSpans } from "@gloss/shared";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type CollabClient, connectClient, Y } from "../helpers/collab";
import { addDocument, addProject, addUser, type SeededProject, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";
import { applySpanOp, spanOps } from "../helpers/spanOps";

let server: TestServer;
let users: SeededUser[];
let project: SeededProject;
const TEXT = "Officials said on Tuesday that the bridge would reopen, but engineers disputed the claim.";

beforeAll(async () => {
  server = await startServer();
  users = [];
  for (let i = 0; i < 5; i++) users.push(await addUser(server.store));
  project = await addProject(server.store, {
    mode: "shared",
    members: users.map((user) => ({ user, role: "annotator" })),
  });
});
afterAll(async () => {
  await server.close();
});

/** Lets the sockets make progress between operations (no fixed sleep: one turn of the event loop). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("convergence", () => {
  it("5 clients with random concurrent span operations, some offline, converge with the server", async () => {
    const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
    const labelIds = project.labels.map((l) => l.id);
    await fc.assert(
      fc.asyncProperty(fc.array(spanOps(5, TEXT.length), { minLength: 10, maxLength: 50 }), async (ops) => {
        const doc = await addDocument(server.store, project.id, `${TEXT} ${Math.random()}`, {
          assignTo: users,
        });
        const clients: CollabClient[] = users.map((u, i) =>
          connectClient(server, {
            documentId: doc.id,
            layer: "shared",
            auth: i % 2 ? { cookie: u.cookie } : { token: u.token },
          }),
        );
        try {
          await Promise.all(clients.map((c) => c.synced()));
          for (const op of ops)
            await applySpanOp(op, clients, {
              ctx,
              labelIds,
              authorOf: (i) => users[i]!.id,
              pause: turn,
            });
          for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect();
          await vi.waitFor(
            async () => {
              const onServer = await server.deps.collab.withDoc(doc.id, "shared", (d) => ({
                spans: listSpans(d),
                sv: Y.encodeStateVector(d),
              }));
              for (const c of clients) {
                expect(c.provider.synced).toBe(true);
                expect(listSpans(c.doc)).toEqual(onServer.spans);
                expect(Y.encodeStateVector(c.doc)).toEqual(onServer.sv);
              }
            },
            { timeout: 15_000, interval: 50 },
          );
        } finally {
          for (const c of clients) c.destroy();
        }
      }),
      { numRuns: 12 },
    );
    await expect.poll(() => server.deps.collab.metrics()).toMatchObject({ rooms: 0, liveDocs: 0 });
  }, 120_000);
});
