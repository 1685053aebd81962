/**
 * Authorship is the server's word (issue 17). Agreement, curation, audit and exports read `author`, so a
 * socket may not put words in someone else's mouth: a new span or relation names its writer, an edited one
 * keeps its author and createdAt, nothing is dated in the future, and `provenance` (how a span got into gold)
 * is written by the server only. Claims are refused whole with 4422; REST stamps author and time itself.
 */
import {
  addSpan,
  CloseCode,
  type LayerContext,
  type LayerName,
  listSpans,
  updateSpan,
  userLayer,
} from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CollabClient, connectClient, type Y } from "../helpers/collab";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
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

const TEXT = "The minister said the figures were accurate; auditors disagreed.";

async function world() {
  const ada = await addUser(server.store);
  const bob = await addUser(server.store);
  const project = await addProject(server.store, {
    mode: "shared",
    members: [
      { user: ada, role: "annotator" },
      { user: bob, role: "annotator" },
    ],
  });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ada, bob] });
  const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  return { ada, bob, project, doc, ctx, label: project.labels[0]!.id };
}

async function open(documentId: number, user: SeededUser, layer: LayerName = "shared") {
  const c = connectClient(server, { documentId, layer, auth: { cookie: user.cookie } });
  clients.push(c);
  await c.synced();
  return c;
}

/** Writes with a fresh client of `user` and reports "kept" (the server has it) or the close code. */
async function write(
  documentId: number,
  user: SeededUser,
  change: (doc: Y.Doc) => void,
  kept: (doc: Y.Doc) => boolean,
): Promise<number | "kept"> {
  const c = await open(documentId, user);
  change(c.doc);
  return Promise.race([
    c.closed().then((e) => e.code),
    (async () => {
      for (;;) {
        if (await server.deps.collab.withDoc(documentId, "shared", kept)) return "kept" as const;
        await new Promise((r) => setTimeout(r, 20));
      }
    })(),
  ]);
}

const now = () => Date.now();

describe("authorship over the socket", () => {
  it("a new span or relation must name its writer; a claimed author, a future date or provenance is refused", async () => {
    const { ada, bob, doc, label } = await world();
    const has = (key: string) => (d: Y.Doc) => d.getMap("spans").has(key) || d.getMap("relations").has(key);
    const span = (author: number | null, extra: Record<string, unknown> = {}) => ({
      start: 0,
      end: 3,
      label,
      author,
      createdAt: now(),
      ...extra,
    });
    const cases: Array<[string, (d: Y.Doc) => void, string, number | "kept"]> = [
      ["ada writes as herself", (d) => d.getMap("spans").set("own", span(ada.id)), "own", "kept"],
      [
        "ada claims bob wrote it",
        (d) => d.getMap("spans").set("forged", span(bob.id)),
        "forged",
        CloseCode.InvalidUpdate,
      ],
      [
        "ada claims nobody wrote it",
        (d) => d.getMap("spans").set("anon", span(null)),
        "anon",
        CloseCode.InvalidUpdate,
      ],
      [
        "a span dated next year",
        (d) => d.getMap("spans").set("future", span(ada.id, { createdAt: now() + 365 * 86_400_000 })),
        "future",
        CloseCode.InvalidUpdate,
      ],
      [
        "a span with curation provenance",
        (d) =>
          d.getMap("spans").set(
            "curated",
            span(ada.id, {
              provenance: { annotators: [bob.id], decidedBy: bob.id, decidedAt: now(), via: "accept" },
            }),
          ),
        "curated",
        CloseCode.InvalidUpdate,
      ],
      [
        "a relation claimed by bob",
        (d) =>
          d.transact(() => {
            d.getMap("spans").set("r-from", span(ada.id));
            d.getMap("spans").set("r-to", span(ada.id, { start: 4, end: 12 }));
            d.getMap("relations").set("rel", {
              from: "r-from",
              to: "r-to",
              type: "attributes",
              author: bob.id,
              createdAt: now(),
            });
          }),
        "rel",
        CloseCode.InvalidUpdate,
      ],
    ];
    const got = [];
    for (const [name, change, key] of cases) got.push([name, await write(doc.id, ada, change, has(key))]);
    expect(got).toEqual(cases.map(([name, , , want]) => [name, want]));
    const stored = await server.deps.collab.withDoc(doc.id, "shared", (d) => listSpans(d));
    expect(stored.map((s) => [s.id, s.author])).toEqual([["own", ada.id]]);
  });

  it("an edit keeps the span's author and createdAt: another annotator may move it, not take it over", async () => {
    const { ada, bob, doc, ctx, label } = await world();
    const a = await open(doc.id, ada);
    const made = addSpan(a.doc, { start: 0, end: 3, label, author: ada.id }, ctx);
    await expect
      .poll(() => server.deps.collab.withDoc(doc.id, "shared", (d) => d.getMap("spans").has(made.id)))
      .toBe(true);
    // bob moves ada's span in the shared layer: allowed, and it stays ada's
    const moved = await write(
      doc.id,
      bob,
      (d) => updateSpan(d, made.id, { end: 12 }, ctx),
      (d) => (d.getMap("spans").get(made.id) as { end: number }).end === 12,
    );
    expect(moved).toBe("kept");
    // bob re-stamps it as his, or redates it: refused
    for (const claim of [{ author: bob.id }, { createdAt: made.createdAt + 1 }]) {
      const code = await write(
        doc.id,
        bob,
        (d) => d.getMap("spans").set(made.id, { ...(d.getMap("spans").get(made.id) as object), ...claim }),
        () => false,
      );
      expect(code).toBe(CloseCode.InvalidUpdate);
    }
    const stored = await server.deps.collab.withDoc(doc.id, "shared", (d) => d.getMap("spans").get(made.id));
    expect(stored).toMatchObject({ author: ada.id, createdAt: made.createdAt, end: 12 });
  });

  it("an offline edit of a span removed meanwhile comes back with the author it had", async () => {
    const { ada, bob, doc, ctx, label } = await world();
    const made = await server.deps.collab.withDoc(doc.id, "shared", (d) =>
      addSpan(d, { start: 0, end: 3, label, author: bob.id }, ctx),
    );
    const a = await open(doc.id, ada);
    await open(doc.id, bob); // bob stays connected (and writes nothing): the room stays loaded
    await expect.poll(() => a.doc.getMap("spans").has(made.id)).toBe(true);
    a.provider.disconnect();
    updateSpan(a.doc, made.id, { end: 12 }, ctx); // offline: ada moves bob's span…
    const api = new ApiClient(server.url);
    api.cookie = bob.cookie;
    // …while bob removes it (REST: no socket has written to the room yet)
    expect(
      (await api.request("DELETE", `/api/documents/${doc.id}/layers/shared/spans/${made.id}`)).status,
    ).toBe(204);
    a.provider.connect();
    await expect
      .poll(() => server.deps.collab.withDoc(doc.id, "shared", (d) => d.getMap("spans").get(made.id)))
      .toMatchObject({ author: bob.id, end: 12 });
    expect(a.closes.map((c) => c.code)).not.toContain(CloseCode.InvalidUpdate);
  });

  it("…also when the room was unloaded and reloaded since the removal (its stamps gone): the edit is kept, not refused", async () => {
    const { ada, bob, doc, ctx, label } = await world();
    const made = await server.deps.collab.withDoc(doc.id, "shared", (d) =>
      addSpan(d, { start: 0, end: 3, label, author: bob.id }, ctx),
    );
    const a = await open(doc.id, ada);
    await expect.poll(() => a.doc.getMap("spans").has(made.id)).toBe(true);
    a.provider.disconnect();
    updateSpan(a.doc, made.id, { end: 12 }, ctx); // offline: ada moves bob's span…
    const api = new ApiClient(server.url);
    api.cookie = bob.cookie;
    expect(
      (await api.request("DELETE", `/api/documents/${doc.id}/layers/shared/spans/${made.id}`)).status,
    ).toBe(204);
    // …and the room unloads (nobody in it) before she comes back: the removed span's stamps are gone
    await expect.poll(() => server.deps.collab.metrics().rooms, { timeout: 10_000 }).toBe(0);
    a.provider.connect();
    await expect
      .poll(() => server.deps.collab.withDoc(doc.id, "shared", (d) => d.getMap("spans").get(made.id)))
      .toMatchObject({ author: bob.id, end: 12 });
    expect(a.closes.map((c) => c.code)).not.toContain(CloseCode.InvalidUpdate);
  });

  it("an annotator cannot write provenance into their own layer (independent mode)", async () => {
    const ann = await addUser(server.store);
    const project = await addProject(server.store, {
      mode: "independent",
      members: [{ user: ann, role: "annotator" }],
    });
    const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann] });
    const layer = userLayer(ann.id);
    const c = await open(doc.id, ann, layer);
    c.doc.getMap("spans").set("suggested", {
      start: 0,
      end: 3,
      label: project.labels[0]!.id,
      author: ann.id,
      createdAt: now(),
      provenance: { annotators: [ann.id], decidedBy: null, decidedAt: now(), via: "import" },
    });
    expect((await c.closed()).code).toBe(CloseCode.InvalidUpdate);
    expect(await server.deps.collab.withDoc(doc.id, layer, (d) => d.getMap("spans").size)).toBe(0);
  });
});

describe("authorship over REST", () => {
  it("the server stamps author and createdAt from the caller; claimed ones and provenance are not taken", async () => {
    const { ada, bob, doc, label } = await world();
    const api = new ApiClient(server.url);
    api.cookie = ada.cookie;
    const res = await api.request("POST", `/api/documents/${doc.id}/layers/shared/spans`, {
      start: 0,
      end: 3,
      label,
      author: bob.id,
      createdAt: 1,
      provenance: { annotators: [bob.id], decidedBy: bob.id, decidedAt: 1, via: "accept" },
    });
    // refused outright or stripped: either way nothing claimed is stored
    if (res.status === 201) {
      const body = (await res.json()) as { id: string };
      const stored = await server.deps.collab.withDoc(doc.id, "shared", (d) =>
        d.getMap("spans").get(body.id),
      );
      expect(stored).toMatchObject({ author: ada.id });
      expect((stored as { createdAt: number }).createdAt).toBeGreaterThan(1);
      expect(stored).not.toHaveProperty("provenance");
    } else expect(res.status).toBe(400);
  });
});
