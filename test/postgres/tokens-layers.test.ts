/**
 * Personal API tokens (server/src/services/tokens.ts) and the REST layer listing
 * (server/src/routes/layers/list.ts), on SQLite and on PostgreSQL with the same expectations: the token
 * limit, the listing, revocation and their audit rows; the layers of a document found from stored Yjs
 * state (a range scan on room keys), assignments and projected spans, with counts, statuses and owners.
 */
import { documentAccess } from "@gloss/server/auth/access";
import { resolveCredential } from "@gloss/server/auth/sessions";
import { all, call, execute, get, run, type Store } from "@gloss/server/db/store";
import { listLayers } from "@gloss/server/routes/layers/list";
import { createToken, listTokens, MAX_TOKENS_PER_USER, revokeToken } from "@gloss/server/services/tokens";
import { createUser } from "@gloss/server/services/users";
import { type LayerSummaryDto, type UserDto, userLayer } from "@gloss/shared";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BACKENDS, settle, useClosers } from "../helpers/backends";

const closers = useClosers();

const PASSWORD = "correct horse battery";

const toDto = (u: { id: number; username: string; displayName: string; isAdmin: boolean }): UserDto => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  isAdmin: u.isAdmin,
});

/** The audit rows of one action, oldest first. */
const auditRows = (store: Store, action: string) => {
  const { auditLog } = store.t;
  return execute(
    store,
    all(
      store.q
        .select({ userId: auditLog.userId, target: auditLog.target, details: auditLog.details })
        .from(auditLog)
        .where(eq(auditLog.action, action))
        .orderBy(asc(auditLog.id)),
    ),
  );
};

const liveTokens = async (store: Store, userId: number) => {
  const { apiTokens } = store.t;
  return (await execute(
    store,
    get(
      store.q
        .select({ n: count() })
        .from(apiTokens)
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))),
    ),
  ))!.n;
};

describe.each(BACKENDS)("on $name", (backend) => {
  const open = async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    return store;
  };

  it("tokens: created with an audit row, listed live and own only, revoked once (404 otherwise)", async () => {
    const store = await open();
    const alice = await createUser(store, { username: "alice", password: PASSWORD });
    const bob = await createUser(store, { username: "bob", password: PASSWORD });

    const first = await call(store, createToken, alice.id, "import script");
    expect(first.token).toMatch(/^gloss_[A-Za-z0-9_-]{43}$/);
    expect(first.row).toMatchObject({
      userId: alice.id,
      name: "import script",
      prefix: first.token.slice(0, first.row.prefix.length),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(first.row.createdAt).toEqual(expect.any(Number));
    // the secret itself is not stored, but it authenticates
    expect(Object.values(first.row)).not.toContain(first.token);
    expect(await call(store, resolveCredential, `t:${first.row.id}`)).toEqual(toDto(alice));
    const second = await call(store, createToken, alice.id, "notebook");
    const bobs = await call(store, createToken, bob.id, "bob's");
    expect(await auditRows(store, "token.create")).toEqual([
      { userId: alice.id, target: `token:${first.row.id}`, details: { name: "import script" } },
      { userId: alice.id, target: `token:${second.row.id}`, details: { name: "notebook" } },
      { userId: bob.id, target: `token:${bobs.row.id}`, details: { name: "bob's" } },
    ]);

    expect((await call(store, listTokens, alice.id)).map((t) => t.name)).toEqual([
      "import script",
      "notebook",
    ]);
    expect((await call(store, listTokens, bob.id)).map((t) => t.id)).toEqual([bobs.row.id]);

    // someone else's, a missing one: 404, nothing revoked, nothing audited
    expect(await settle(call(store, revokeToken, bob.id, first.row.id))).toBe("404 not_found: No such token");
    expect(await settle(call(store, revokeToken, alice.id, bobs.row.id + 1000))).toBe(
      "404 not_found: No such token",
    );
    // an id past PostgreSQL's integer is as missing there as on SQLite
    expect(await settle(call(store, revokeToken, alice.id, 2 ** 40))).toBe("404 not_found: No such token");
    expect(await auditRows(store, "token.revoke")).toEqual([]);

    expect(await call(store, revokeToken, alice.id, first.row.id)).toBeUndefined();
    expect(await call(store, resolveCredential, `t:${first.row.id}`)).toBeNull();
    expect((await call(store, listTokens, alice.id)).map((t) => t.name)).toEqual(["notebook"]);
    // a revoked one: 404 the second time
    expect(await settle(call(store, revokeToken, alice.id, first.row.id))).toBe(
      "404 not_found: No such token",
    );
    expect(await auditRows(store, "token.revoke")).toEqual([
      { userId: alice.id, target: `token:${first.row.id}`, details: {} },
    ]);
    expect(await call(store, listTokens, bob.id)).toHaveLength(1);
  });

  it(`tokens: at most ${MAX_TOKENS_PER_USER} live ones per account (409, nothing written); revoking frees one`, async () => {
    const store = await open();
    const alice = await createUser(store, { username: "alice", password: PASSWORD });
    const bob = await createUser(store, { username: "bob", password: PASSWORD });
    const { apiTokens } = store.t;
    // one revoked token does not count
    const revoked = await call(store, createToken, alice.id, "old");
    await call(store, revokeToken, alice.id, revoked.row.id);
    await execute(
      store,
      run(
        store.q.insert(apiTokens).values(
          Array.from({ length: MAX_TOKENS_PER_USER - 1 }, (_, i) => ({
            userId: alice.id,
            name: `t${i}`,
            tokenHash: `hash-${i}`,
            prefix: "gloss_xxxxxx",
          })),
        ),
      ),
    );
    const last = await call(store, createToken, alice.id, "the hundredth");
    expect(await liveTokens(store, alice.id)).toBe(MAX_TOKENS_PER_USER);
    const audits = (await auditRows(store, "token.create")).length;

    expect(await settle(call(store, createToken, alice.id, "one too many"))).toBe(
      `409 too_many_tokens: You already have ${MAX_TOKENS_PER_USER} tokens (the limit is ${MAX_TOKENS_PER_USER}): revoke one first`,
    );
    expect(await liveTokens(store, alice.id)).toBe(MAX_TOKENS_PER_USER);
    expect(await auditRows(store, "token.create")).toHaveLength(audits);
    // the limit is per account
    expect((await call(store, createToken, bob.id, "bob's")).row.userId).toBe(bob.id);

    await call(store, revokeToken, alice.id, last.row.id);
    const again = await call(store, createToken, alice.id, "again");
    expect(again.row.name).toBe("again");
    expect(await liveTokens(store, alice.id)).toBe(MAX_TOKENS_PER_USER);
    expect((await call(store, listTokens, alice.id)).at(-1)!.id).toBe(again.row.id);
  });

  /**
   * Document 7 of an independent project, with document 70 beside it (its rooms start with "doc/7" too):
   * a curator, two assigned annotators, a former member with stored Yjs state only, users with a Yjs
   * update only and with projected spans only, a room of a user who does not exist.
   */
  async function layerWorld(store: Store) {
    const {
      annotations,
      assignments,
      documents,
      layerStates,
      projectMembers,
      projects,
      yjsSnapshots,
      yjsUpdates,
    } = store.t;
    const user = (username: string) =>
      createUser(store, { username, displayName: username.toUpperCase(), password: PASSWORD });
    const cur = await user("cur");
    const ann = await user("ann");
    const bea = await user("bea");
    const former = await user("former");
    const logged = await user("logged");
    const projected = await user("projected");
    const elsewhere = await user("elsewhere");
    const outsider = await user("outsider");
    const ghost = 999_999;
    const project = (await execute(
      store,
      get(store.q.insert(projects).values({ name: "P", mode: "independent" }).returning()),
    ))!;
    for (const [u, role] of [
      [cur, "curator"],
      [ann, "annotator"],
      [bea, "annotator"],
      [elsewhere, "annotator"],
    ] as const)
      await execute(
        store,
        run(store.q.insert(projectMembers).values({ projectId: project.id, userId: u.id, role })),
      );
    for (const id of [7, 70])
      await execute(
        store,
        run(
          store.q.insert(documents).values({
            id,
            projectId: project.id,
            name: `d${id}`,
            text: "Some text.",
            sha256: `s${id}`,
            length: 10,
          }),
        ),
      );
    for (const u of [ann, bea])
      await execute(store, run(store.q.insert(assignments).values({ documentId: 7, userId: u.id })));
    await execute(store, run(store.q.insert(assignments).values({ documentId: 70, userId: elsewhere.id })));
    const state = Buffer.from([0, 0]);
    await execute(
      store,
      run(
        store.q.insert(yjsSnapshots).values([
          { room: "doc/7/gold", state },
          { room: `doc/7/${userLayer(ann.id)}`, state },
          { room: `doc/7/${userLayer(former.id)}`, state },
          { room: `doc/7/${userLayer(ghost)}`, state },
          { room: "doc/7/not-a-layer", state },
          { room: `doc/70/${userLayer(elsewhere.id)}`, state },
          { room: `doc/70/${userLayer(outsider.id)}`, state },
        ]),
      ),
    );
    await execute(
      store,
      run(
        store.q.insert(yjsUpdates).values([
          { room: `doc/7/${userLayer(logged.id)}`, update: state },
          { room: `doc/7/${userLayer(logged.id)}`, update: state },
          { room: `doc/70/${userLayer(outsider.id)}`, update: state },
        ]),
      ),
    );
    const span = (documentId: number, layer: string, spanId: string) => ({
      projectId: project.id,
      documentId,
      layer,
      spanId,
      start: 0,
      end: 4,
      labelId: 1,
      createdAt: 1,
    });
    await execute(
      store,
      run(
        store.q
          .insert(annotations)
          .values([
            span(7, userLayer(ann.id), "a1"),
            span(7, userLayer(ann.id), "a2"),
            span(7, userLayer(projected.id), "p1"),
            span(7, "gold", "g1"),
            span(70, userLayer(elsewhere.id), "e1"),
            span(70, "shared", "s1"),
          ]),
      ),
    );
    const layerState = (documentId: number, layer: string, status: string) => ({
      projectId: project.id,
      documentId,
      layer,
      status,
      updatedAt: 1,
    });
    await execute(
      store,
      run(
        store.q
          .insert(layerStates)
          .values([
            layerState(7, userLayer(ann.id), "done"),
            layerState(7, userLayer(bea.id), "in_progress"),
            layerState(7, "shared", "something else"),
            layerState(70, "gold", "done"),
          ]),
      ),
    );
    return { store, project, cur, ann, bea, former, logged, projected, elsewhere, outsider };
  }

  const owner = (u: { id: number; username: string; displayName: string }) => ({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
  });

  it("layer listing: stored rooms, assignments and projected spans; counts, statuses, owners, permissions", async () => {
    const store = await open();
    const w = await layerWorld(store);
    const list = async (u: UserDto, documentId = 7) =>
      (await call(store, listLayers, await call(store, documentAccess, u, documentId))).layers;
    const userRow = (
      u: typeof w.ann,
      permission: LayerSummaryDto["permission"],
      spans: number,
      status: LayerSummaryDto["status"],
    ): LayerSummaryDto => ({ layer: userLayer(u.id), permission, spans, status, user: owner(u) });

    const expected: LayerSummaryDto[] = [
      userRow(w.ann, "read", 2, "done"),
      userRow(w.bea, "read", 0, "in_progress"),
      userRow(w.former, "read", 0, null),
      userRow(w.logged, "read", 0, null),
      userRow(w.projected, "read", 1, null),
      { layer: "shared", permission: "read", spans: 0, status: null, user: null },
      { layer: "gold", permission: "write", spans: 1, status: null, user: null },
    ];
    expect(await list(toDto(w.cur))).toEqual(expected);
    // an annotator sees their own layer only (blind, independent project)
    expect(await list(toDto(w.ann))).toEqual([userRow(w.ann, "write", 2, "done")]);
    expect(await list(toDto(w.bea))).toEqual([userRow(w.bea, "write", 0, "in_progress")]);
    // document 70: its own rooms, spans and states only
    expect(await list(toDto(w.cur), 70)).toEqual([
      userRow(w.elsewhere, "read", 1, null),
      userRow(w.outsider, "read", 0, null),
      { layer: "shared", permission: "read", spans: 1, status: null, user: null },
      { layer: "gold", permission: "write", spans: 0, status: "done", user: null },
    ]);

    if (store.dialect === "pg") {
      // The room keys' range scan holds under any collation of the room columns, even one that ignores
      // punctuation (under which "doc/7/user-3" sorts after "doc/70").
      await store.pool.query(
        "CREATE COLLATION shifted (provider = icu, locale = 'und-u-ka-shifted');" +
          "ALTER TABLE yjs_snapshots ALTER COLUMN room TYPE text COLLATE shifted;" +
          "ALTER TABLE yjs_updates ALTER COLUMN room TYPE text COLLATE shifted;",
      );
      const { rows } = await store.pool.query<{ after: boolean }>(
        "SELECT 'doc/7/user-3'::text COLLATE shifted >= 'doc/70' AS after",
      );
      expect(rows[0]!.after).toBe(true);
      expect(await list(toDto(w.cur))).toEqual(expected);
    }
  });

  it("layer listing: an annotator always sees their own layer; a shared project's shared layer is writable", async () => {
    const store = await open();
    const w = await layerWorld(store);
    const { assignments, projects } = store.t;
    // bea's assignment to document 70 exists, nothing of hers is stored there yet
    await execute(store, run(store.q.insert(assignments).values({ documentId: 70, userId: w.bea.id })));
    await execute(
      store,
      run(store.q.update(projects).set({ mode: "shared" }).where(eq(projects.id, w.project.id))),
    );
    const list = async (u: UserDto, documentId: number) =>
      (await call(store, listLayers, await call(store, documentAccess, u, documentId))).layers;
    expect(await list(toDto(w.bea), 70)).toEqual([
      { layer: userLayer(w.bea.id), permission: "write", spans: 0, status: null, user: owner(w.bea) },
      { layer: "shared", permission: "write", spans: 1, status: null, user: null },
    ]);
    expect((await list(toDto(w.cur), 7)).map((l) => `${l.layer} ${l.permission}`)).toEqual([
      `${userLayer(w.ann.id)} read`,
      `${userLayer(w.bea.id)} read`,
      `${userLayer(w.former.id)} read`,
      `${userLayer(w.logged.id)} read`,
      `${userLayer(w.projected.id)} read`,
      "shared write",
      "gold write",
    ]);
  });
});
