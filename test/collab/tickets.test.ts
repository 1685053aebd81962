/**
 * Socket tickets (issue 17: no long-lived secret in a URL). The browser asks POST /api/socket-ticket for a
 * single-use ticket bound to itself and one room, valid a few seconds, and opens the socket with
 * `?ticket=`; an API token in the URL (`?token=`) is refused. Tickets live in the database, so one minted
 * on one server opens a socket on another, and single use holds across servers too.
 */
import { CloseCode, roomName, userLayer } from "@gloss/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collabPath, connectClient, rawSocket } from "../helpers/collab";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let second: TestServer | null = null;
beforeEach(async () => {
  server = await startServer({ file: true });
});
afterEach(async () => {
  await second?.close();
  second = null;
  await server.close();
});

const TEXT = "Ministers insisted the figures were accurate; auditors disagreed.";

async function world() {
  const ann = await addUser(server.store);
  const other = await addUser(server.store);
  const project = await addProject(server.store, {
    members: [
      { user: ann, role: "annotator" },
      { user: other, role: "annotator" },
    ],
  });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann, other] });
  return { ann, other, doc, room: roomName(doc.id, userLayer(ann.id)) };
}

/** POST /api/socket-ticket as a browser would (cookie + our Origin). */
async function mint(target: TestServer, user: Pick<SeededUser, "cookie">, room: string) {
  return fetch(`${target.url}/api/socket-ticket`, {
    method: "POST",
    headers: { cookie: user.cookie, origin: target.url, "content-type": "application/json" },
    body: JSON.stringify({ room }),
  });
}
async function ticketFor(
  target: TestServer,
  user: Pick<SeededUser, "cookie">,
  room: string,
): Promise<string> {
  const res = await mint(target, user, room);
  expect(res.status).toBe(201);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = (await res.json()) as { ticket: string; room: string; expiresAt: number };
  expect(body.room).toBe(room);
  expect(body.expiresAt - Date.now()).toBeLessThanOrEqual(server.deps.collab.limits.socketTicketTtlMs);
  return body.ticket;
}

/** Opens a raw socket with no credential but the URL's, and reports "open" (first frame) or the close code. */
async function outcome(target: TestServer, path: string, origin?: string | null): Promise<number | "open"> {
  const s = rawSocket(target, path, { auth: {}, origin });
  const first = await Promise.race([s.next().then(() => "open" as const), s.closed.then((c) => c.code)]);
  s.close();
  await s.closed;
  return first;
}

describe("socket tickets", () => {
  it("a ticket opens its room once, as the user who asked for it; a second use is refused", async () => {
    const { ann, doc, room } = await world();
    const ticket = await ticketFor(server, ann, room);
    const path = `${collabPath(doc.id, userLayer(ann.id))}?ticket=${encodeURIComponent(ticket)}`;
    expect(await outcome(server, path)).toBe("open");
    expect(await outcome(server, path)).toBe(CloseCode.Unauthorized);
    // a script without Origin may use a ticket too (it had to authenticate to get one)
    expect(
      await outcome(
        server,
        `${collabPath(doc.id, userLayer(ann.id))}?ticket=${await ticketFor(server, ann, room)}`,
        null,
      ),
    ).toBe("open");
  });

  it("a real WebsocketProvider syncs with a ticket in its params and nothing else", async () => {
    const { ann, doc, room } = await world();
    const c = connectClient(server, {
      documentId: doc.id,
      layer: userLayer(ann.id),
      auth: {},
      connect: false,
    });
    c.provider.params = { ticket: await ticketFor(server, ann, room) };
    c.provider.connect();
    await c.synced();
    c.destroy();
  });

  it("refused: an API token in the URL, a ticket for another room, an expired ticket, a forged one", async () => {
    const { ann, other, doc, room } = await world();
    const own = collabPath(doc.id, userLayer(ann.id));
    expect(await outcome(server, `${own}?token=${encodeURIComponent(ann.token)}`, null)).toBe(
      CloseCode.Unauthorized,
    );
    // the token still works in a header (scripts)
    const header = rawSocket(server, own, { auth: { token: ann.token }, origin: null });
    await header.next();
    header.close();
    // bound to one room: presenting it for another burns it
    const forOwn = await ticketFor(server, other, roomName(doc.id, userLayer(other.id)));
    expect(await outcome(server, `${own}?ticket=${forOwn}`)).toBe(CloseCode.Unauthorized);
    expect(await outcome(server, `${collabPath(doc.id, userLayer(other.id))}?ticket=${forOwn}`)).toBe(
      CloseCode.Unauthorized,
    );
    // bound to its user: a ticket for someone else's room is still decided by that room's rights
    const sneaky = await ticketFor(server, other, room);
    expect(await outcome(server, `${own}?ticket=${sneaky}`)).toBe(CloseCode.Forbidden);
    expect(await outcome(server, `${own}?ticket=gtk_forged`)).toBe(CloseCode.Unauthorized);
    server.deps.collab.limits.socketTicketTtlMs = 0;
    const expired = await ticketFor(server, ann, room);
    expect(await outcome(server, `${own}?ticket=${expired}`)).toBe(CloseCode.Unauthorized);
  });

  it("only a signed-in caller gets one, and signing out voids the tickets it minted", async () => {
    const { ann, doc, room } = await world();
    const anonymous = await fetch(`${server.url}/api/socket-ticket`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ room }),
    });
    expect(anonymous.status).toBe(401);
    expect((await mint(server, ann, "not/a/room")).status).toBe(400);
    const ticket = await ticketFor(server, ann, room);
    const out = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: ann.cookie, origin: server.url },
    });
    expect(out.status).toBe(204);
    expect(await outcome(server, `${collabPath(doc.id, userLayer(ann.id))}?ticket=${ticket}`)).toBe(
      CloseCode.Unauthorized,
    );
  });

  it("several servers: a ticket minted on one opens a socket on another, and only once over both", async () => {
    const { ann, doc, room } = await world();
    second = await startServer({ dataDir: server.dataDir });
    const path = (t: string) => `${collabPath(doc.id, userLayer(ann.id))}?ticket=${t}`;
    expect(await outcome(second, path(await ticketFor(server, ann, room)))).toBe("open");
    // two upgrades racing with one ticket, one per server: exactly one opens
    for (let i = 0; i < 5; i++) {
      const t = await ticketFor(server, ann, room);
      const got = await Promise.all([outcome(server, path(t)), outcome(second, path(t))]);
      expect(got.filter((g) => g === "open")).toHaveLength(1);
      expect(got.filter((g) => g === CloseCode.Unauthorized)).toHaveLength(1);
    }
  });
});
