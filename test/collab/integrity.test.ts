/**
 * The layer model on the socket path: a raw Y.Doc client (no editor, no validation of its own) writes every
 * kind of invalid content into a layer it may write. Each update is refused whole with 4422: nothing of it
 * is stored, projected or relayed, and good clients keep being served. Server-side writes are held to the
 * same rules.
 */
import { all, call } from "@gloss/server/db/store";
import { addSpan, CloseCode, listSpans, spansOf, userLayer } from "@gloss/shared";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CollabClient,
  collabPath,
  connectClient,
  frames,
  parseFrame,
  rawSocket,
  Y,
} from "../helpers/collab";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";
import { sqlRow } from "../helpers/sql";

// An astral character (two UTF-16 code units) at 11–13, so an offset of 12 would split it.
const TEXT = "The mayor 😀 said the protest was peaceful. Organisers said otherwise.";

let server: TestServer;
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

interface Setup {
  documentId: number;
  layer: ReturnType<typeof userLayer>;
  user: SeededUser;
  watcher: CollabClient;
  label: number;
}

let s: Setup;
beforeEach(async () => {
  server = await startServer();
  const user = await addUser(server.store);
  const curator = await addUser(server.store);
  const project = await addProject(server.store, {
    mode: "independent",
    members: [
      { user, role: "annotator" },
      { user: curator, role: "curator" },
    ],
  });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [user] });
  const layer = userLayer(user.id);
  // A curator watching the layer: must never receive refused content.
  const watcher = connectClient(server, { documentId: doc.id, layer, auth: { cookie: curator.cookie } });
  clients.push(watcher);
  await watcher.synced();
  s = { documentId: doc.id, layer, user, watcher, label: project.labels[0]!.id };
});

const rowsOf = async (room: string) =>
  (await sqlRow<{ n: number }>(
    server.store,
    sql`SELECT cast(count(*) as integer) AS n FROM yjs_updates WHERE room = ${room}`,
  ))!.n;
const projected = (documentId: number) =>
  call(server.store, function* (st) {
    const a = st.t.annotations;
    return yield* all(
      st.q
        .select({ id: a.spanId, start: a.start, end: a.end, label: a.labelId })
        .from(a)
        .where(eq(a.documentId, documentId))
        .orderBy(a.layer, a.spanId),
    );
  });

/** Sends one update over a fresh raw socket and resolves with how the socket ended. */
async function sendRaw(update: Uint8Array) {
  const sock = rawSocket(server, collabPath(s.documentId, s.layer), { auth: { token: s.user.token } });
  await sock.next(); // greeted: the room is ready
  const before = sock.frames.length;
  sock.send(frames.update(update));
  // A sync step 1 after it: the server answers it only after handling the update (frames are in order).
  sock.send(frames.syncStep1(new Y.Doc()));
  const answered = sock
    .next((f) => sock.frames.indexOf(f) >= before && parseFrame(f).syncType === 1)
    .then(() => ({ code: -1, reason: "still open" }));
  const result = await Promise.race([sock.closed, answered]);
  sock.close();
  return result;
}

/** A doc that starts from the server's state (so updates to existing keys carry origins, like a real client). */
function fork(): Y.Doc {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(s.watcher.doc));
  return d;
}
function diff(d: Y.Doc, write: (d: Y.Doc) => void): Uint8Array {
  const sv = Y.encodeStateVector(d);
  write(d);
  return Y.encodeStateAsUpdate(d, sv);
}
const span = (o: Record<string, unknown> = {}) => ({
  start: 0,
  end: 3,
  label: s.label,
  author: s.user.id,
  createdAt: 1,
  ...o,
});

describe("every write is held to the layer model", () => {
  const invalid: Array<[string, (d: Y.Doc) => void]> = [
    [
      "end at 2^53−1 with an unknown label (the finding)",
      (d) => d.getMap("spans").set("x", span({ end: 9007199254740991, label: 424242 })),
    ],
    ["end past the text", (d) => d.getMap("spans").set("x", span({ end: TEXT.length + 1 }))],
    ["negative start", (d) => d.getMap("spans").set("x", span({ start: -1 }))],
    ["reversed offsets", (d) => d.getMap("spans").set("x", span({ start: 5, end: 2 }))],
    ["empty span", (d) => d.getMap("spans").set("x", span({ start: 4, end: 4 }))],
    ["start splitting a surrogate pair", (d) => d.getMap("spans").set("x", span({ start: 11, end: 16 }))],
    ["end splitting a surrogate pair", (d) => d.getMap("spans").set("x", span({ start: 4, end: 11 }))],
    ["fractional offset", (d) => d.getMap("spans").set("x", span({ end: 2.5 }))],
    ["unknown label", (d) => d.getMap("spans").set("x", span({ label: 999_999 }))],
    ["offsets as strings", (d) => d.getMap("spans").set("x", span({ start: "0" }))],
    ["a field the schema does not have", (d) => d.getMap("spans").set("x", span({ evil: true }))],
    ["author as a name", (d) => d.getMap("spans").set("x", span({ author: "manager" }))],
    ["createdAt missing", (d) => d.getMap("spans").set("x", span({ createdAt: undefined }))],
    ["a span that is a list", (d) => d.getMap("spans").set("x", [0, 3])],
    ["a span that is a nested Y.Map", (d) => d.getMap("spans").set("x", new Y.Map())],
    ["a huge note", (d) => d.getMap("spans").set("x", span({ note: "n".repeat(10_001) }))],
    ["a huge span id", (d) => d.getMap("spans").set("x".repeat(65), span())],
    ["a new root type", (d) => d.getMap("junk").set("k", "v".repeat(1000))],
    ["text into a root", (d) => d.getText("notes").insert(0, "hello")],
    ["the layer state (server-only)", (d) => d.getMap("state").set("status", "done")],
    ["gold's rejected map in an annotator layer", (d) => d.getMap("rejected").set("k", { by: 1, at: 1 })],
    [
      "a relation to a missing span",
      (d) =>
        d
          .getMap("relations")
          .set("r", { from: "nope", to: "nada", type: "attributes", author: null, createdAt: 1 }),
    ],
    [
      "one valid span and one invalid in the same update (refused as a whole)",
      (d) => {
        d.getMap("spans").set("ok", span());
        d.getMap("spans").set("bad", span({ end: 1e9 }));
      },
    ],
  ];

  it.each(invalid)("%s: closed with 4422, nothing stored, projected or relayed", async (_name, write) => {
    const room = `doc/${s.documentId}/${s.layer}`;
    const before = { rows: await rowsOf(room), projected: await projected(s.documentId) };
    const { code } = await sendRaw(diff(fork(), write));
    expect(code).toBe(CloseCode.InvalidUpdate);
    await server.deps.collab.flush();
    expect(await rowsOf(room)).toBe(before.rows);
    expect(await projected(s.documentId)).toEqual(before.projected);
    expect(listSpans(s.watcher.doc)).toEqual([]);
    expect(s.watcher.doc.getMap("junk").size).toBe(0);
    expect(server.deps.collab.metrics().invalidUpdates).toBe(1);
    // The same socket path still takes a good update, and the watcher sees it.
    const ok = await sendRaw(diff(fork(), (d) => d.getMap("spans").set("good", span({ start: 4, end: 9 }))));
    expect(ok.code).toBe(-1);
    await expect.poll(() => listSpans(s.watcher.doc).map((x) => x.id)).toEqual(["good"]);
  });

  it("an existing span overwritten with an invalid value is refused; the old value stays", async () => {
    const first = await sendRaw(diff(fork(), (d) => d.getMap("spans").set("a", span())));
    expect(first.code).toBe(-1);
    await expect.poll(() => listSpans(s.watcher.doc).length).toBe(1);
    // An overwrite carries an origin (the previous item) and no parent info: resolved through the live doc.
    const { code } = await sendRaw(diff(fork(), (d) => d.getMap("spans").set("a", span({ end: 9e15 }))));
    expect(code).toBe(CloseCode.InvalidUpdate);
    expect(listSpans(s.watcher.doc)[0]).toMatchObject({ id: "a", start: 0, end: 3 });
    const stored = await server.deps.collab.withDoc(s.documentId, s.layer, (d) => spansOf(d).get("a"));
    expect(stored).toMatchObject({ start: 0, end: 3 });
  });

  it("a relation between spans written in the same update is accepted", async () => {
    const { code } = await sendRaw(
      diff(fork(), (d) => {
        d.getMap("spans").set("a", span());
        d.getMap("spans").set("b", span({ start: 4, end: 9 }));
        d.getMap("relations").set("r", {
          from: "a",
          to: "b",
          type: "attributes",
          author: s.user.id,
          createdAt: 2,
        });
      }),
    );
    expect(code).toBe(-1);
    await expect.poll(() => s.watcher.doc.getMap("relations").has("r")).toBe(true);
  });

  it("100,000 spans in one update against a cap of 1,000: refused, the server still serves", async () => {
    Object.assign(server.deps.collab.limits, { maxSpansPerLayer: 1000, maxFrameBytes: 32 * 1024 * 1024 });
    const d = fork();
    const update = diff(d, (x) => {
      const spans = x.getMap("spans");
      x.transact(() => {
        for (let i = 0; i < 100_000; i++) spans.set(`s${i}`, span({ createdAt: i }));
      });
    });
    const { code } = await sendRaw(update);
    expect(code).toBe(CloseCode.InvalidUpdate);
    // Up to the cap in small updates is fine; one more is not.
    const g = fork();
    for (let batch = 0; batch < 10; batch++) {
      const u = diff(g, (x) => {
        for (let i = 0; i < 100; i++) x.getMap("spans").set(`b${batch}-${i}`, span({ createdAt: i }));
      });
      expect((await sendRaw(u)).code).toBe(-1);
    }
    const over = await sendRaw(diff(g, (x) => x.getMap("spans").set("one-more", span())));
    expect(over.code).toBe(CloseCode.InvalidUpdate);
    await expect.poll(() => s.watcher.doc.getMap("spans").size).toBe(1000);
  }, 60_000);

  it("a server-side write that breaks the model throws and stores nothing", async () => {
    const room = `doc/${s.documentId}/${s.layer}`;
    const rows = await rowsOf(room);
    await expect(
      server.deps.collab.withDoc(s.documentId, s.layer, (d) => {
        spansOf(d).set("bad", { ...span(), end: 10_000 } as never);
      }),
    ).rejects.toThrow(/end 10000/);
    expect(await rowsOf(room)).toBe(rows);
    const after = await server.deps.collab.withDoc(s.documentId, s.layer, (d) => spansOf(d).has("bad"));
    expect(after).toBe(false);
    // And through the layer functions, the usual path, a valid write goes through.
    await server.deps.collab.withDoc(s.documentId, s.layer, (d) =>
      addSpan(
        d,
        { start: 0, end: 3, label: s.label, author: s.user.id },
        { text: TEXT, labelIds: new Set([s.label]) },
      ),
    );
    await expect.poll(() => listSpans(s.watcher.doc).length).toBe(1);
  });
});
