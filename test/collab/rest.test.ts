import { listRelations, listSpans, type SpanDto, userLayer } from "@gloss/shared";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CollabClient, connectClient } from "../helpers/collab";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";
import { sqlRow } from "../helpers/sql";

let server: TestServer;
const clients: CollabClient[] = [];

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

const api = (user?: SeededUser, via: "cookie" | "token" = "cookie") => {
  const a = new ApiClient(server.url);
  if (user && via === "cookie") a.cookie = user.cookie;
  if (user && via === "token") a.token = user.token;
  return a;
};

// "👋" and "🎉" are astral: one code point, two UTF-16 units each.
const TEXT = "Hi 👋 there, Zoë said 🎉 yes.";

async function setup(mode: "shared" | "independent" = "independent") {
  const ann = await addUser(server.store);
  const other = await addUser(server.store);
  const curator = await addUser(server.store);
  const outsider = await addUser(server.store);
  const project = await addProject(server.store, {
    mode,
    members: [
      { user: ann, role: "annotator" },
      { user: other, role: "annotator" },
      { user: curator, role: "curator" },
    ],
  });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann, other] });
  const label = (name: string) => project.labels.find((l) => l.name === name)!;
  return { ann, other, curator, outsider, project, doc, label };
}

const spansUrl = (docId: number, layer: string, q = "") =>
  `/api/documents/${docId}/layers/${layer}/spans${q}`;

describe("span REST routes over live layers", () => {
  it("speaks code points by default and UTF-16 on request, with the covered text", async () => {
    const { ann, doc, label } = await setup();
    const me = api(ann, "token");
    const layer = userLayer(ann.id);
    // "there" starts at code point 5 (UTF-16 unit 6).
    const span = await me.post<SpanDto>(spansUrl(doc.id, layer), { start: 5, end: 10, label: "claim" });
    expect(span).toMatchObject({
      start: 5,
      end: 10,
      text: "there",
      label: label("claim").id,
      labelName: "claim",
    });
    expect(span.author).toBe(ann.id);

    const utf16 = await me.get<{ spans: SpanDto[] }>(spansUrl(doc.id, layer, "?offsets=utf16"));
    expect(utf16.spans).toEqual([{ ...span, start: 6, end: 11 }]);
    expect(TEXT.slice(6, 11)).toBe("there");

    // "🎉" alone: code points 21..22, UTF-16 units 22..24.
    const party = await me.post<SpanDto>(spansUrl(doc.id, layer, "?offsets=utf16"), {
      start: 22,
      end: 24,
      label: label("denial").id,
      note: "emoji",
    });
    expect(party).toMatchObject({ start: 22, end: 24, text: "🎉", note: "emoji", labelName: "denial" });
    const cp = await me.get<{ spans: SpanDto[] }>(spansUrl(doc.id, layer));
    expect(cp.spans.map((s) => [s.text, s.start, s.end])).toEqual([
      ["there", 5, 10],
      ["🎉", 21, 22],
    ]);

    const patched = await me.patch<SpanDto>(`${spansUrl(doc.id, layer)}/${span.id}`, {
      end: 11,
      label: "attribution",
      note: "comma too",
    });
    expect(patched).toMatchObject({ text: "there,", labelName: "attribution", note: "comma too" });
    expect(patched.updatedAt).toBeGreaterThanOrEqual(patched.createdAt);

    expect((await me.request("DELETE", `${spansUrl(doc.id, layer)}/${span.id}`)).status).toBe(204);
    expect((await me.request("DELETE", `${spansUrl(doc.id, layer)}/${span.id}`)).status).toBe(404);
    expect((await me.get<{ spans: SpanDto[] }>(spansUrl(doc.id, layer))).spans).toHaveLength(1);
  });

  it("rejects bad spans with a 400 naming the field", async () => {
    const { ann, doc } = await setup();
    const me = api(ann, "token");
    const url = spansUrl(doc.id, userLayer(ann.id));
    const fieldOf = async (path: string, body: unknown) => {
      const res = await me.request("POST", path, body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { message: string; details?: unknown } };
      return { message: json.error.message, details: json.error.details };
    };
    expect((await fieldOf(url, { start: 4, end: 2, label: "claim" })).details).toEqual({ field: "start" });
    // 27 code points in TEXT: 28 is past the end.
    expect((await fieldOf(url, { start: 0, end: 28, label: "claim" })).details).toEqual({ field: "end" });
    expect((await fieldOf(url, { start: 0, end: 2, label: "nonsense" })).details).toEqual({ field: "label" });
    expect((await fieldOf(url, { start: 0, end: 2, label: 999999 })).details).toEqual({ field: "label" });
    // UTF-16 unit 4 is inside "👋".
    expect((await fieldOf(`${url}?offsets=utf16`, { start: 4, end: 6, label: "claim" })).details).toEqual({
      field: "start",
    });
    expect((await fieldOf(`${url}?offsets=utf16`, { start: 0, end: 4, label: "claim" })).details).toEqual({
      field: "end",
    });
    expect((await fieldOf(url, { start: 0, label: "claim" })).message).toBe("The end is missing");
    // the query is checked by the route's OffsetsQuery (the validator's shape: every issue with its path)
    const offsets = await fieldOf(`${url}?offsets=bytes`, { start: 0, end: 1, label: "claim" });
    expect(offsets.message).toMatch(/^offsets: /);
    expect(offsets.details).toEqual([{ path: "offsets", message: expect.any(String) }]);
    expect((await me.get<{ spans: unknown[] }>(url)).spans).toEqual([]);
  });

  it("relations: both ends must exist, the type must be the project's, removing a span removes them", async () => {
    const { ann, doc } = await setup();
    const me = api(ann, "token");
    const layer = userLayer(ann.id);
    const base = `/api/documents/${doc.id}/layers/${layer}/relations`;
    const who = await me.post<SpanDto>(spansUrl(doc.id, layer), { start: 12, end: 15, label: "attribution" });
    const what = await me.post<SpanDto>(spansUrl(doc.id, layer), { start: 23, end: 26, label: "claim" });
    const rel = await me.post<{ id: string; type: string }>(base, {
      from: who.id,
      to: what.id,
      type: "attributes",
    });
    expect(rel).toMatchObject({ from: who.id, to: what.id, type: "attributes", author: ann.id });

    const bad = await me.request("POST", base, { from: who.id, to: "nope", type: "attributes" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: unknown } }).error.details).toEqual({ field: "to" });
    const badType = await me.request("POST", base, { from: who.id, to: what.id, type: "loves" });
    expect(((await badType.json()) as { error: { details: unknown } }).error.details).toEqual({
      field: "type",
    });
    expect((await me.request("PATCH", `${base}/missing`, { type: "attributes" })).status).toBe(404);

    expect((await me.get<{ relations: unknown[] }>(base)).relations).toEqual([rel]);
    await me.request("DELETE", `${spansUrl(doc.id, layer)}/${what.id}`);
    expect((await me.get<{ relations: unknown[] }>(base)).relations).toEqual([]);
  });

  it("uses the socket's authorisation: read for GET, write for the rest", async () => {
    const { ann, other, curator, outsider, doc } = await setup("independent");
    const mine = userLayer(ann.id);
    const body = { start: 0, end: 2, label: "claim" };
    const status = async (who: ApiClient, method: string, path: string, b?: unknown) =>
      (await who.request(method, path, b)).status;

    expect(await status(api(), "GET", spansUrl(doc.id, mine))).toBe(401);
    expect(await status(api(outsider), "GET", spansUrl(doc.id, mine))).toBe(404);
    expect(await status(api(other), "GET", spansUrl(doc.id, mine))).toBe(403);
    expect(await status(api(other), "POST", spansUrl(doc.id, mine), body)).toBe(403);
    expect(await status(api(ann), "GET", spansUrl(doc.id, "gold"))).toBe(403);
    expect(await status(api(ann), "GET", spansUrl(doc.id, "shared"))).toBe(403);
    expect(await status(api(ann), "POST", spansUrl(doc.id, mine), body)).toBe(201);
    expect(await status(api(curator), "GET", spansUrl(doc.id, mine))).toBe(200);
    expect(await status(api(curator), "POST", spansUrl(doc.id, mine), body)).toBe(403);
    expect(await status(api(curator), "POST", spansUrl(doc.id, "gold"), body)).toBe(201);
    expect(await status(api(curator), "GET", spansUrl(doc.id, "user-999999"))).toBe(404);
    expect(await status(api(curator), "GET", spansUrl(doc.id, "bogus"))).toBe(404);
    expect(await status(api(curator), "GET", spansUrl(doc.id + 1000, "gold"))).toBe(404);
    // A cookie-authenticated write from another site is refused before it reaches the layer.
    expect(
      (await api(ann).request("POST", spansUrl(doc.id, mine), body, { origin: "https://evil.example" }))
        .status,
    ).toBe(403);

    const listed = await api(curator).get<{
      layers: Array<{ layer: string; permission: string; spans: number }>;
    }>(`/api/documents/${doc.id}/layers`);
    expect(listed.layers.map((l) => [l.layer, l.permission, l.spans])).toEqual([
      [mine, "read", 1],
      [userLayer(other.id), "read", 0],
      ["shared", "read", 0],
      ["gold", "write", 1],
    ]);
    const own = await api(ann).get<{ layers: Array<{ layer: string; permission: string }> }>(
      `/api/documents/${doc.id}/layers`,
    );
    expect(own.layers.map((l) => [l.layer, l.permission])).toEqual([[mine, "write"]]);
  });

  it("a connected provider sees a REST-created span at once; the state route moves the assignment", async () => {
    const { ann, doc } = await setup();
    const layer = userLayer(ann.id);
    const c = connectClient(server, { documentId: doc.id, layer, auth: { cookie: ann.cookie } });
    clients.push(c);
    await c.synced();
    const span = await api(ann, "token").post<SpanDto>(spansUrl(doc.id, layer), {
      start: 0,
      end: 2,
      label: "claim",
    });
    await expect.poll(() => listSpans(c.doc).map((s) => s.id)).toEqual([span.id]);
    expect(listRelations(c.doc)).toEqual([]);

    const assignment = () =>
      sqlRow<{ status: string }>(
        server.store,
        sql`SELECT status FROM assignments WHERE document_id = ${doc.id} AND user_id = ${ann.id}`,
      );
    await expect.poll(assignment).toEqual({ status: "in_progress" });
    const res = await api(ann, "token").request("PUT", `/api/documents/${doc.id}/layers/${layer}/state`, {
      status: "done",
    });
    expect(await res.json()).toMatchObject({ layer, status: "done", setBy: ann.id });
    await expect.poll(() => c.doc.getMap("state").get("status")).toBe("done");
    await expect.poll(assignment).toEqual({ status: "done" });
  });
});
