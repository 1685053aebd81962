import { addSpan, type LayerContext, listSpans, removeSpan, updateSpan } from "@gloss/shared";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type CollabClient, connectClient, Y } from "../helpers/collab";
import { type SeededUser, seedDocument, seedProject, seedUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let users: SeededUser[];
let project: ReturnType<typeof seedProject>;
const TEXT = "Officials said on Tuesday that the bridge would reopen, but engineers disputed the claim.";

beforeAll(async () => {
  server = await startServer();
  users = Array.from({ length: 5 }, () => seedUser(server.db));
  project = seedProject(server.db, {
    mode: "shared",
    members: users.map((user) => ({ user, role: "annotator" })),
  });
});
afterAll(async () => {
  await server.close();
});

type Op =
  | { kind: "add"; client: number; start: number; len: number; label: number }
  | { kind: "update"; client: number; pick: number; start: number; len: number }
  | { kind: "remove"; client: number; pick: number }
  | { kind: "toggle"; client: number }
  | { kind: "yield" };

const client = fc.integer({ min: 0, max: 4 });
const start = fc.integer({ min: 0, max: TEXT.length - 1 });
const len = fc.integer({ min: 1, max: 12 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("add" as const), client, start, len, label: fc.nat() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("update" as const), client, pick: fc.nat(), start, len }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), client, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("toggle" as const), client }) },
  { weight: 2, arbitrary: fc.constant({ kind: "yield" as const }) },
);

/** Lets the sockets make progress between operations (no fixed sleep: one turn of the event loop). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("convergence", () => {
  it("5 clients with random concurrent span operations, some offline, converge with the server", async () => {
    const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
    const labelIds = project.labels.map((l) => l.id);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 50 }), async (ops) => {
        const doc = seedDocument(server.db, project.id, `${TEXT} ${Math.random()}`, { assignTo: users });
        const clients: CollabClient[] = users.map((u, i) =>
          connectClient(server, {
            documentId: doc.id,
            layer: "shared",
            auth: i % 2 ? { cookie: u.cookie } : { token: u.token },
          }),
        );
        try {
          await Promise.all(clients.map((c) => c.synced()));
          for (const op of ops) {
            if (op.kind === "yield") {
              await turn();
              continue;
            }
            const c = clients[op.client]!;
            const author = users[op.client]!.id;
            const spans = listSpans(c.doc);
            if (op.kind === "add") {
              const end = Math.min(op.start + op.len, TEXT.length);
              addSpan(
                c.doc,
                { start: op.start, end, label: labelIds[op.label % labelIds.length]!, author },
                ctx,
              );
            } else if (op.kind === "update" && spans.length > 0) {
              const end = Math.min(op.start + op.len, TEXT.length);
              updateSpan(c.doc, spans[op.pick % spans.length]!.id, { start: op.start, end }, ctx);
            } else if (op.kind === "remove" && spans.length > 0) {
              removeSpan(c.doc, spans[op.pick % spans.length]!.id);
            } else if (op.kind === "toggle") {
              if (c.provider.shouldConnect) c.provider.disconnect();
              else c.provider.connect();
            }
          }
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
