import { addSpan, CloseCode, type LayerContext, type LayerName, listSpans, userLayer } from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ClientAuth,
  type CollabClient,
  collabPath,
  connectClient,
  frames,
  parseFrame,
  rawSocket,
  Y,
} from "../helpers/collab";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
const clients: CollabClient[] = [];
const client = (documentId: number, layer: LayerName, auth: ClientAuth, origin?: string | null) => {
  const c = connectClient(server, { documentId, layer, auth, origin });
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

const TEXT = "Ministers insisted the figures were accurate; auditors disagreed.";

async function independentProject() {
  const ann1 = await addUser(server.store);
  const ann2 = await addUser(server.store);
  const curator = await addUser(server.store);
  const manager = await addUser(server.store);
  const outsider = await addUser(server.store);
  const project = await addProject(server.store, {
    mode: "independent",
    members: [
      { user: ann1, role: "annotator" },
      { user: ann2, role: "annotator" },
      { user: curator, role: "curator" },
      { user: manager, role: "manager" },
    ],
  });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann1, ann2] });
  const unassigned = await addDocument(server.store, project.id, `${TEXT} (2)`, { assignTo: [ann2] });
  const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  return { ann1, ann2, curator, manager, outsider, project, doc, unassigned, ctx };
}

/** Opens a raw socket and reports how the server answered: "open" (synced) or the close code. */
async function outcome(path: string, auth: ClientAuth, origin?: string | null): Promise<number | "open"> {
  const s = rawSocket(server, path, { auth, origin });
  const first = await Promise.race([s.next().then(() => "open" as const), s.closed.then((c) => c.code)]);
  s.close();
  await s.closed;
  return first;
}

describe("socket authorisation", () => {
  it("matrix over rooms in an independent project", async () => {
    const { ann1, ann2, curator, manager, outsider, doc, unassigned } = await independentProject();
    const p = (layer: LayerName, d = doc.id) => collabPath(d, layer);
    const cookie = (u: { cookie: string }) => ({ cookie: u.cookie });
    const cases: Array<[string, string, ClientAuth, number | "open"]> = [
      ["own layer", p(userLayer(ann1.id)), cookie(ann1), "open"],
      ["another annotator's layer", p(userLayer(ann2.id)), cookie(ann1), CloseCode.Forbidden],
      ["…and the other way round", p(userLayer(ann1.id)), cookie(ann2), CloseCode.Forbidden],
      ["shared in independent mode", p("shared"), cookie(ann1), CloseCode.Forbidden],
      ["gold as annotator", p("gold"), cookie(ann1), CloseCode.Forbidden],
      ["unassigned document", p(userLayer(ann1.id), unassigned.id), cookie(ann1), CloseCode.NotFound],
      ["curator reads annotator 1", p(userLayer(ann1.id)), cookie(curator), "open"],
      ["curator reads annotator 2", p(userLayer(ann2.id)), cookie(curator), "open"],
      ["curator writes gold", p("gold"), cookie(curator), "open"],
      ["manager reads shared", p("shared"), { token: manager.token }, "open"],
      ["non-member", p("gold"), cookie(outsider), CloseCode.NotFound],
      ["no such document", p("gold", doc.id + 10_000), cookie(curator), CloseCode.NotFound],
      ["no such user layer", p("user-987654"), cookie(curator), CloseCode.NotFound],
      ["malformed room", "/collab/doc/abc/gold", cookie(curator), CloseCode.NotFound],
      ["unknown layer kind", "/collab/doc/1/silver", cookie(curator), CloseCode.NotFound],
      ["anonymous", p("gold"), {}, CloseCode.Unauthorized],
      ["bad token", p("gold"), { token: "gloss_nope" }, CloseCode.Unauthorized],
      ["expired or forged cookie", p("gold"), { cookie: "gloss_session=forged" }, CloseCode.Unauthorized],
    ];
    const got = [];
    for (const [name, path, auth] of cases) got.push([name, await outcome(path, auth)]);
    expect(got).toEqual(cases.map(([name, , , want]) => [name, want]));
    expect(server.deps.collab.metrics().refused).toBe(cases.filter((c) => c[3] !== "open").length);
  });

  it("a refused WebsocketProvider gets the code and does not retry", async () => {
    const { ann1, ann2, doc } = await independentProject();
    const c = client(doc.id, userLayer(ann2.id), { cookie: ann1.cookie });
    expect((await c.closed()).code).toBe(CloseCode.Forbidden);
    expect(c.provider.shouldConnect).toBe(false);
    const anon = client(doc.id, userLayer(ann1.id), {});
    expect((await anon.closed()).code).toBe(CloseCode.Unauthorized);
  });

  it("Origin: a foreign page cannot use the cookie; a script with a token and no Origin can", async () => {
    const { ann1, doc } = await independentProject();
    const path = collabPath(doc.id, userLayer(ann1.id));
    expect(await outcome(path, { cookie: ann1.cookie }, "https://evil.example")).toBe(CloseCode.Forbidden);
    expect(await outcome(path, { cookie: ann1.cookie }, "null")).toBe(CloseCode.Forbidden);
    expect(await outcome(path, { cookie: ann1.cookie }, null)).toBe(CloseCode.Forbidden);
    expect(await outcome(path, { token: ann1.token }, "https://evil.example")).toBe(CloseCode.Forbidden);
    expect(await outcome(path, { cookie: ann1.cookie })).toBe("open");
    expect(await outcome(path, { token: ann1.token }, null)).toBe("open");
    // an API token in the URL is refused (it would end up in access logs): headers or a ticket (tickets.test.ts)
    expect(await outcome(`${path}?token=${encodeURIComponent(ann1.token)}`, {}, null)).toBe(
      CloseCode.Unauthorized,
    );
    expect(await outcome(`${path}?token=wrong`, {}, null)).toBe(CloseCode.Unauthorized);
  });

  it("read-only: a curator's updates to an annotator's layer are never applied", async () => {
    const { ann1, curator, doc, ctx, project } = await independentProject();
    const layer = userLayer(ann1.id);
    const owner = client(doc.id, layer, { cookie: ann1.cookie });
    const reader = client(doc.id, layer, { cookie: curator.cookie });
    await Promise.all([owner.synced(), reader.synced()]);
    const label = project.labels[0]!.id;

    // The reader sees the owner's work live…
    const real = addSpan(owner.doc, { start: 0, end: 9, label, author: ann1.id }, ctx);
    await expect.poll(() => listSpans(reader.doc).map((s) => s.id)).toEqual([real.id]);

    // …but its own edit goes nowhere: dropped at the server, not relayed, not stored.
    const dropped = server.deps.collab.metrics().readOnlyDropped;
    const forged = addSpan(reader.doc, { start: 10, end: 19, label, author: curator.id }, ctx);
    await expect.poll(() => server.deps.collab.metrics().readOnlyDropped).toBeGreaterThan(dropped);
    const onServer = await server.deps.collab.withDoc(doc.id, layer, (d) => listSpans(d).map((s) => s.id));
    expect(onServer).toEqual([real.id]);
    expect(listSpans(owner.doc).map((s) => s.id)).toEqual([real.id]);
    expect(reader.provider.wsconnected).toBe(true);

    // A hand-built update frame from a read-only socket fares no better.
    const raw = rawSocket(server, collabPath(doc.id, layer), { auth: { token: curator.token } });
    await raw.next();
    const d = new Y.Doc();
    d.getMap("spans").set("x", { start: 0, end: 1, label, author: curator.id, createdAt: 1 });
    raw.send(frames.update(Y.encodeStateAsUpdate(d)));
    raw.send(frames.syncStep1(new Y.Doc()));
    // The answer to the step 1 sent after the update proves the update was processed (and dropped).
    const reply = await raw.next((f) => parseFrame(f).syncType === 1);
    const serverState = new Y.Doc();
    Y.applyUpdate(serverState, parseFrame(reply).payload!);
    expect([...serverState.getMap("spans").keys()]).toEqual([real.id]);
    expect(
      listSpans(reader.doc)
        .map((s) => s.id)
        .sort(),
    ).toEqual([real.id, forged.id].sort());
    raw.close();
  });
});
