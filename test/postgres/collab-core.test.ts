/**
 * The collaboration core over either database (issue 12): the same rooms, rules and projection on SQLite
 * and on PostgreSQL. Server-side writes (withDoc) and a socket's updates (the transport-free entry point,
 * `collab.connect`) go through a real collab service over a real, migrated database; the projection rows
 * are read back with SQL.
 */

import { documentAccess } from "@gloss/server/auth/access";
import { toUserDto } from "@gloss/server/auth/sessions";
import { authorizeLayer, type Collab, createCollab, type LayerGrant } from "@gloss/server/collab/index";
import { all, call, run, type Store } from "@gloss/server/db/store";
import { testConfig } from "@gloss/server/env";
import { createLogger } from "@gloss/server/log";
import { createLabel, deleteLabel, listLabels } from "@gloss/server/services/labels";
import { createProject } from "@gloss/server/services/projects";
import { createUser } from "@gloss/server/services/users";
import {
  addSpan,
  CloseCode,
  type LayerName,
  removeSpan,
  setLayerStatus,
  spansOf,
  updateSpan,
  userLayer,
} from "@gloss/shared";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { BACKENDS, useClosers } from "../helpers/backends";
import { frames, parseFrame } from "../helpers/collab";

const closers = useClosers();

const TEXT = "The minister said the report was false. Others doubt it.";

/** A socket the core writes to: frames and the close it was given. */
class FakeSocket {
  readonly sent: Uint8Array[] = [];
  closed: { code: number; reason?: string } | null = null;
  bufferedAmount = 0;
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close(code: number, reason?: string) {
    this.closed ??= { code, reason };
  }
  ping() {}
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.each(BACKENDS)("the collaboration core on $name", (backend) => {
  async function world() {
    const { store, close } = await backend.open();
    closers.push(close);
    const owner = await createUser(store, { username: "ada", password: "correct horse battery" });
    const annotator = await createUser(
      store,
      { username: "bob", password: "correct horse battery" },
      owner.id,
    );
    const project = await call(store, createProject, owner.id, { name: "Claims" });
    const { documents, projectMembers, assignments } = store.t;
    await call(store, function* (s: Store) {
      yield* run(
        s.q.insert(projectMembers).values({ projectId: project.id, userId: annotator.id, role: "annotator" }),
      );
    });
    const [doc] = await call(store, function* (s: Store) {
      return yield* all(
        s.q
          .insert(documents)
          .values({
            projectId: project.id,
            name: "a.txt",
            text: TEXT,
            sha256: "x".repeat(64),
            length: TEXT.length,
          })
          .returning(),
      );
    });
    await call(store, function* (s: Store) {
      yield* run(
        s.q.insert(assignments).values({ documentId: doc!.id, userId: annotator.id, status: "todo" }),
      );
    });
    const labels = await call(store, listLabels, project.id);
    const open = () => {
      const collab = createCollab({
        database: store,
        config: testConfig({ dbFile: ":memory:" }),
        log: createLogger("silent"),
        limits: { projectionDelayMs: 5, unloadDelayMs: 0 },
      });
      closers.push(() => collab.close());
      return collab;
    };
    return { store, owner, annotator, project, doc: doc!, labels, open };
  }

  type World = Awaited<ReturnType<typeof world>>;

  const spanRows = (w: World, layer: string) =>
    call(w.store, function* (s: Store) {
      const { annotations } = s.t;
      return yield* all(
        s.q
          .select({
            spanId: annotations.spanId,
            start: annotations.start,
            end: annotations.end,
            labelId: annotations.labelId,
          })
          .from(annotations)
          .where(and(eq(annotations.documentId, w.doc.id), eq(annotations.layer, layer)))
          .orderBy(asc(annotations.start)),
      );
    });

  const grantFor = async (w: World, user: typeof w.owner, layer: LayerName): Promise<LayerGrant> => {
    const auth = await call(w.store, authorizeLayer, toUserDto(user), w.doc.id, layer);
    if (!auth.ok) throw new Error(`no grant: ${auth.message}`);
    return auth.grant;
  };

  /** A client doc synced to the room's state, and a socket joined to it. */
  async function join(collab: Collab, grant: LayerGrant) {
    const socket = new FakeSocket();
    const conn = collab.connect(socket, grant);
    expect(conn).not.toBeNull();
    const doc = new Y.Doc();
    await until("the greeting", () => socket.sent.some((f) => parseFrame(f).syncType === 0));
    conn!.receive(frames.syncStep1(doc));
    await until("the state", () => socket.sent.some((f) => parseFrame(f).syncType === 1));
    for (const f of socket.sent) {
      const p = parseFrame(f);
      if (p.type === 0 && p.syncType !== 0 && p.payload) Y.applyUpdate(doc, p.payload);
    }
    /** Sends what `change` does to the client doc as one update frame. */
    const write = (change: (doc: Y.Doc) => void) => {
      const before = Y.encodeStateVector(doc);
      change(doc);
      conn!.receive(frames.update(Y.encodeStateAsUpdate(doc, before)));
    };
    return { socket, conn: conn!, doc, write };
  }

  it("projects server-side writes into the SQL rows: put, changed, removed, and the layer state with the assignment", async () => {
    const w = await world();
    const collab = w.open();
    const ctx = {
      text: TEXT,
      labelIds: new Set(w.labels.map((l) => l.id)),
      relationTypes: new Set<string>(),
    };
    const layer = userLayer(w.annotator.id);
    const [a, b] = await collab.withDoc(w.doc.id, layer, (doc) => [
      addSpan(doc, { start: 4, end: 12, label: w.labels[0]!.id, author: w.annotator.id }, ctx),
      addSpan(doc, { start: 40, end: 46, label: w.labels[1]!.id, author: w.annotator.id }, ctx),
    ]);
    await collab.flush();
    expect(await spanRows(w, layer)).toEqual([
      { spanId: a!.id, start: 4, end: 12, labelId: w.labels[0]!.id },
      { spanId: b!.id, start: 40, end: 46, labelId: w.labels[1]!.id },
    ]);
    // the first span started the assignment
    const status = () =>
      call(w.store, function* (s: Store) {
        return (yield* all(s.q.select({ status: s.t.assignments.status }).from(s.t.assignments)))[0]?.status;
      });
    expect(await status()).toBe("in_progress");
    await collab.withDoc(w.doc.id, layer, (doc) => {
      updateSpan(doc, a!.id, { label: w.labels[2]!.id }, ctx);
      removeSpan(doc, b!.id);
      setLayerStatus(doc, "done", w.annotator.id);
    });
    await collab.flush();
    expect(await spanRows(w, layer)).toEqual([
      { spanId: a!.id, start: 4, end: 12, labelId: w.labels[2]!.id },
    ]);
    expect(await status()).toBe("done");
    const states = await call(w.store, function* (s: Store) {
      return yield* all(
        s.q.select({ status: s.t.layerStates.status, layer: s.t.layerStates.layer }).from(s.t.layerStates),
      );
    });
    expect(states).toEqual([{ status: "done", layer }]);
  });

  it("a room loaded afresh reconciles rows that drifted from its Yjs state (lost, stale, extra)", async () => {
    const w = await world();
    const first = w.open();
    const ctx = {
      text: TEXT,
      labelIds: new Set(w.labels.map((l) => l.id)),
      relationTypes: new Set<string>(),
    };
    const [a, b] = await first.withDoc(w.doc.id, "shared", (doc) => [
      addSpan(doc, { start: 0, end: 3, label: w.labels[0]!.id, author: w.owner.id }, ctx),
      addSpan(doc, { start: 4, end: 12, label: w.labels[0]!.id, author: w.owner.id }, ctx),
    ]);
    await first.close();
    // the rows drift: one lost, one stale, one that the layer never had
    await call(w.store, function* (s: Store) {
      const { annotations } = s.t;
      yield* run(s.q.delete(annotations).where(eq(annotations.spanId, a!.id)));
      yield* run(s.q.update(annotations).set({ start: 1 }).where(eq(annotations.spanId, b!.id)));
      yield* run(
        s.q.insert(annotations).values({
          projectId: w.project.id,
          documentId: w.doc.id,
          layer: "shared",
          spanId: "ghost",
          start: 20,
          end: 25,
          labelId: w.labels[0]!.id,
          createdAt: 1,
        }),
      );
    });
    // another server (or this one after a restart) loads the room: its rows are made to match the state
    const second = w.open();
    const ids = await second.withDoc(w.doc.id, "shared", (doc) => [...spansOf(doc).keys()].sort());
    expect(ids).toEqual([a!.id, b!.id].sort());
    await second.flush();
    expect(await spanRows(w, "shared")).toEqual([
      { spanId: a!.id, start: 0, end: 3, labelId: w.labels[0]!.id },
      { spanId: b!.id, start: 4, end: 12, labelId: w.labels[0]!.id },
    ]);
  });

  it("a socket's update is held to the labels in the database: one added since the room loaded is accepted, one deleted is refused", async () => {
    const w = await world();
    const collab = w.open();
    const layer = userLayer(w.annotator.id);
    const client = await join(collab, await grantFor(w, w.annotator, layer));
    const span = (label: number) => (doc: Y.Doc) =>
      spansOf(doc).set(`s${label}`, {
        start: 4,
        end: 12,
        label,
        author: w.annotator.id,
        createdAt: Date.now(),
      });
    client.write(span(w.labels[0]!.id));
    await until("the first span", async () => {
      expect(client.socket.closed).toBeNull();
      return (await spanRows(w, layer)).length === 1;
    });
    // a label created behind the room's back (no rights change announced): the room reads its rules again
    const added = await call(w.store, createLabel, w.owner.id, w.project.id, { name: "Hedge" });
    client.write(span(added.id));
    await until("the span with the new label", async () => (await spanRows(w, layer)).length === 2);
    expect(client.socket.closed).toBeNull();
    // a label deleted, announced: the rooms of the project re-read their rules before the next check
    const doomed = await call(w.store, createLabel, w.owner.id, w.project.id, { name: "Doomed" });
    await call(w.store, deleteLabel, w.owner.id, w.project.id, doomed.id);
    collab.rightsChanged({ projectId: w.project.id });
    client.write(span(doomed.id));
    await until("the refusal", () => client.socket.closed !== null);
    expect(client.socket.closed!.code).toBe(CloseCode.InvalidUpdate);
    await collab.flush();
    expect((await spanRows(w, layer)).map((r) => r.labelId).sort()).toEqual(
      [w.labels[0]!.id, added.id].sort(),
    );
  });

  it("a member removed loses their socket when rights change; a valid one stays", async () => {
    const w = await world();
    const collab = w.open();
    const bob = await join(collab, await grantFor(w, w.annotator, userLayer(w.annotator.id)));
    const ada = await join(collab, await grantFor(w, w.owner, "shared"));
    await call(w.store, function* (s: Store) {
      const { projectMembers } = s.t;
      yield* run(s.q.delete(projectMembers).where(eq(projectMembers.userId, w.annotator.id)));
    });
    collab.rightsChanged({ projectId: w.project.id });
    await collab.flush();
    await until("bob's socket closed", () => bob.socket.closed !== null);
    // no longer a member: the project is not theirs to know of (404, as the REST API answers)
    expect(bob.socket.closed!.code).toBe(CloseCode.NotFound);
    expect(ada.socket.closed).toBeNull();
  });

  it("numbers beyond the id columns are refused before any query: a 2^40 document, layer or author", async () => {
    const w = await world();
    const collab = w.open();
    const huge = 2 ** 40;
    const user = toUserDto(w.owner);
    await expect(call(w.store, documentAccess, user, huge)).rejects.toMatchObject({ status: 404 });
    expect(await call(w.store, authorizeLayer, user, w.doc.id, `user-${huge}`)).toMatchObject({
      ok: false,
      status: 404,
    });
    const layer = userLayer(w.annotator.id);
    const client = await join(collab, await grantFor(w, w.annotator, layer));
    client.write((doc) =>
      spansOf(doc).set("big", { start: 0, end: 3, label: w.labels[0]!.id, author: huge, createdAt: 1 }),
    );
    await until("the refusal", () => client.socket.closed !== null);
    expect(client.socket.closed!.code).toBe(CloseCode.InvalidUpdate);
    // the room and its projection go on
    const again = await join(collab, await grantFor(w, w.annotator, layer));
    again.write((doc) =>
      spansOf(doc).set("ok", {
        start: 0,
        end: 3,
        label: w.labels[0]!.id,
        author: w.annotator.id,
        createdAt: 1,
      }),
    );
    await until("the good span", async () => (await spanRows(w, layer)).length === 1);
    expect(again.socket.closed).toBeNull();
  });
});
