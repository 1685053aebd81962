/**
 * Live adjudication across servers on PostgreSQL: two curators on two servers (two collab services, each
 * with its own pool and its own copy of the gold room, one database) decide the same site at the same
 * moment. Each decision is taken from the gold room as it stands; across servers they take turns under
 * the document's advisory lock, and each reads gold afresh first — so exactly one wins, every round, and
 * both rooms end with the winner's span alone.
 */

import { documentAccess } from "@gloss/server/auth/access";
import { toUserDto } from "@gloss/server/auth/sessions";
import { type Collab, createCollab } from "@gloss/server/collab/index";
import { closePg, openPg } from "@gloss/server/db/pg";
import { all, call, pgStore, run, type Store } from "@gloss/server/db/store";
import { testConfig } from "@gloss/server/env";
import { HttpError } from "@gloss/server/errors";
import { createLogger } from "@gloss/server/log";
import { goldChange } from "@gloss/server/services/curation/gold";
import { createProject } from "@gloss/server/services/projects";
import { createUser } from "@gloss/server/services/users";
import { spansOf } from "@gloss/shared";
import { describe, expect, it } from "vitest";
import { useClosers } from "../helpers/backends";
import { createTestDatabase } from "../helpers/postgres";

const closers = useClosers();

const TEXT = "The minister said the report was false.";

async function server(url: string): Promise<{ store: Store; collab: Collab }> {
  const db = await openPg(url, { max: 4 });
  const store = pgStore(db);
  const collab = createCollab({
    database: store,
    config: testConfig(),
    log: createLogger("silent"),
    limits: { projectionDelayMs: 5 },
  });
  closers.push(async () => {
    await collab.close();
    await closePg(db);
  });
  return { store, collab };
}

describe("curation on two servers over one PostgreSQL database", () => {
  it("two curators deciding one site at once: one wins, the other is told it is decided, every round", async () => {
    const database = await createTestDatabase();
    closers.push(() => database.drop());
    const a = await server(database.url);
    const b = await server(database.url);
    const owner = await createUser(a.store, { username: "ada", password: "correct horse battery" });
    const curator = await createUser(
      a.store,
      { username: "cy", password: "correct horse battery" },
      owner.id,
    );
    const project = await call(a.store, createProject, owner.id, { name: "Claims" });
    await call(a.store, function* (s: Store) {
      yield* run(
        s.q.insert(s.t.projectMembers).values({ projectId: project.id, userId: curator.id, role: "curator" }),
      );
    });
    const [doc] = await call(a.store, function* (s: Store) {
      return yield* all(
        s.q
          .insert(s.t.documents)
          .values({
            projectId: project.id,
            name: "a",
            text: TEXT,
            sha256: "a".repeat(64),
            length: TEXT.length,
          })
          .returning(),
      );
    });
    const accessOn = (s: Store, user: typeof owner) => call(s, documentAccess, toUserDto(user), doc!.id);
    const [accessA, accessB] = [await accessOn(a.store, owner), await accessOn(b.store, curator)];
    // both servers hold the gold room (each its own Y.Doc)
    for (const x of [a, b]) await x.collab.withDoc(doc!.id, "gold", () => {});

    for (let round = 0; round < 3; round++) {
      const site = `site${round}`;
      // a decision: the site's span, unless gold has one there already
      const decide = (who: string) =>
        function* (gdoc: import("yjs").Doc) {
          if ([...spansOf(gdoc).keys()].some((k) => k.startsWith(site)))
            throw new HttpError(409, "already_decided", `${site} is decided`);
          yield* [];
          return {
            audit: [],
            apply: (d: import("yjs").Doc) =>
              spansOf(d).set(`${site}-${who}`, {
                start: round,
                end: round + 3,
                label: 1,
                author: null,
                createdAt: 1,
              }),
            result: who,
          };
        };
      const outcomes = await Promise.allSettled([
        goldChange(a.store, a, accessA, decide("a")),
        goldChange(b.store, b, accessB, decide("b")),
      ]);
      const won = outcomes.filter((o) => o.status === "fulfilled");
      const lost = outcomes.filter((o) => o.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(((lost[0] as PromiseRejectedResult).reason as HttpError).code).toBe("already_decided");
      const winner = (won[0] as PromiseFulfilledResult<{ result: string }>).value.result;
      // both rooms converge on the winner's span for the site, and only that one
      for (const x of [a, b]) {
        const deadline = Date.now() + 5_000;
        for (;;) {
          const keys = await x.collab.withDoc(doc!.id, "gold", (g) =>
            [...spansOf(g).keys()].filter((k) => k.startsWith(site)),
          );
          if (keys.length === 1 && keys[0] === `${site}-${winner}`) break;
          if (Date.now() > deadline) throw new Error(`${site}: the rooms hold ${keys.join(", ")}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  });
});
