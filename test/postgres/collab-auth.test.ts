/**
 * Who may open which layer (server/src/collab/auth.ts: the socket's and the REST span routes' one rule), on
 * SQLite and on PostgreSQL with the same expectations.
 */

import { authorizeLayer } from "@gloss/server/collab/auth";
import { call, execute, get, run, type Store } from "@gloss/server/db/store";
import { createUser } from "@gloss/server/services/users";
import { userLayer } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import { BACKENDS, useClosers } from "../helpers/backends";

const closers = useClosers();

const PASSWORD = "correct horse battery";

async function world(store: Store) {
  const { projects, projectMembers, documents, assignments } = store.t;
  const admin = await createUser(store, { username: "admin", password: PASSWORD });
  const ann = await createUser(store, { username: "ann", password: PASSWORD });
  const other = await createUser(store, { username: "other", password: PASSWORD });
  const cur = await createUser(store, { username: "cur", password: PASSWORD });
  const stranger = await createUser(store, { username: "stranger", password: PASSWORD });
  const project = (await execute(
    store,
    get(store.q.insert(projects).values({ name: "P", mode: "independent" }).returning()),
  ))!;
  for (const [u, role] of [
    [ann, "annotator"],
    [other, "annotator"],
    [cur, "curator"],
  ] as const)
    await execute(
      store,
      run(store.q.insert(projectMembers).values({ projectId: project.id, userId: u.id, role })),
    );
  const doc = (await execute(
    store,
    get(
      store.q
        .insert(documents)
        .values({ projectId: project.id, name: "d", text: "Some text.", sha256: "x", length: 10 })
        .returning(),
    ),
  ))!;
  for (const u of [ann, other])
    await execute(store, run(store.q.insert(assignments).values({ documentId: doc.id, userId: u.id })));
  const dto = (u: typeof ann) => ({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    isAdmin: u.isAdmin,
  });
  return {
    store,
    project,
    doc,
    admin: dto(admin),
    ann: dto(ann),
    other: dto(other),
    cur: dto(cur),
    stranger: dto(stranger),
  };
}

describe.each(BACKENDS)("authorizeLayer on $name", (backend) => {
  it("annotators write their own layer only, curators read theirs and write gold; locks and strangers", async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    const w = await world(store);
    const decide = async (user: typeof w.ann | null, layer: string, documentId = w.doc.id) => {
      const a = await call(store, authorizeLayer, user, documentId, layer);
      return a.ok ? `${a.grant.permission}${a.grant.lock ? ` (${a.grant.lock})` : ""}` : a.status;
    };
    expect(await decide(w.ann, userLayer(w.ann.id))).toBe("write");
    expect(await decide(w.ann, userLayer(w.other.id))).toBe(403); // blind: not another annotator's layer
    expect(await decide(w.ann, "gold")).toBe(403);
    expect(await decide(w.cur, userLayer(w.ann.id))).toBe("read");
    expect(await decide(w.cur, "gold")).toBe("write");
    expect(await decide(w.admin, "gold")).toBe("write");
    expect(await decide(w.cur, userLayer(w.stranger.id))).toBe(404); // no trace of that layer here
    expect(await decide(w.stranger, userLayer(w.stranger.id))).toBe(404); // not a member: the document hides
    expect(await decide(null, "gold")).toBe(401);
    expect(await decide(w.ann, "nonsense")).toBe(404);
    expect(await decide(w.cur, "gold", w.doc.id + 100)).toBe(404);

    const { layerStates, curations } = store.t;
    const now = Date.now();
    await execute(
      store,
      run(
        store.q.insert(layerStates).values({
          projectId: w.project.id,
          documentId: w.doc.id,
          layer: userLayer(w.ann.id),
          status: "done",
          updatedAt: now,
        }),
      ),
    );
    expect(await decide(w.ann, userLayer(w.ann.id))).toBe("read (layer-done)");
    await execute(store, run(store.q.insert(curations).values({ documentId: w.doc.id, status: "done" })));
    expect(await decide(w.other, userLayer(w.other.id))).toBe("read (curation-done)");
    expect(await decide(w.cur, "gold")).toBe("write"); // gold stays writable for curators
  });
});
