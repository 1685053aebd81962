/**
 * Curation over both databases (server/src/services/curation): the status rows and their audit, the gold
 * bookkeeping of a decision (audit rows, status, the Yjs edit as the transaction's last step), the
 * projection reads behind the curation view (annotator layers with their checks, projected spans and
 * relations, label names), who decided a site, and decisions, auto-merge and the view end to end over a
 * gold Y.Doc of the test's own (the collaboration server runs on SQLite only so far). Each body runs on
 * SQLite and on PostgreSQL with the same expectations.
 */
import { type DocumentAccess, documentAccess } from "@gloss/server/auth/access";
import { toUserDto } from "@gloss/server/auth/sessions";
import type { Deps } from "@gloss/server/context";
import { all, call, execute, run, type Store } from "@gloss/server/db/store";
import { HttpError } from "@gloss/server/errors";
import { autoMerge } from "@gloss/server/services/curation/autoMerge";
import { applyDecision } from "@gloss/server/services/curation/decisions";
import { type DtoContext, Offsets } from "@gloss/server/services/curation/dto";
import { goldBookkeeping, readGold } from "@gloss/server/services/curation/gold";
import {
  annotatorLayers,
  labelNames,
  projectedRelation,
  projectedSpan,
} from "@gloss/server/services/curation/projection";
import { alreadyDecided } from "@gloss/server/services/curation/siteCheck";
import {
  changeCurationStatus,
  curationStatus,
  curationStatuses,
  documentsChangedAfterCuration,
  markInProgress,
} from "@gloss/server/services/curation/status";
import { documentCuration, statusOf } from "@gloss/server/services/curation/views";
import { createProject } from "@gloss/server/services/projects";
import { createUser } from "@gloss/server/services/users";
import type { Span } from "@gloss/shared";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { BACKENDS, settle, useClosers } from "../helpers/backends";

const closers = useClosers();

const TEXT = "Alice met Bob in Paris.";

describe.each(BACKENDS)("on $name", (backend) => {
  const open = async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    return store;
  };

  /** A manager (who curates), three annotators, a project with two labels and a relation type, and another. */
  async function seed(store: Store) {
    const { documents } = store.t;
    const user = async (username: string, displayName?: string) =>
      toUserDto(await createUser(store, { username, password: "correct horse battery", displayName }));
    const root = await user("root", "Ada Lovelace");
    const bob = await user("bob");
    const cy = await user("cy");
    const dan = await user("dan");
    const project = await call(store, createProject, root.id, {
      name: "Herodotus",
      labels: [{ name: "Person" }, { name: "Place" }],
      relationTypes: ["at"],
    });
    const other = await call(store, createProject, root.id, { name: "Other", labels: [{ name: "Thing" }] });
    const labelsOf = async (projectId: number) =>
      new Map([...(await call(store, labelNames, projectId))].map(([id, name]) => [name, id]));
    const labels = await labelsOf(project.id);
    const [person, place, thing] = [
      labels.get("Person")!,
      labels.get("Place")!,
      (await labelsOf(other.id)).get("Thing")!,
    ];
    const docs = await execute(
      store,
      all(
        store.q
          .insert(documents)
          .values(
            [TEXT, "Nothing here.", "Third one."].map((text, i) => ({
              projectId: project.id,
              name: `doc-${i + 1}`,
              text,
              sha256: `sha-${i + 1}`,
              length: text.length,
            })),
          )
          .returning(),
      ),
    );
    return { root, bob, cy, dan, project, other, person, place, thing, docs: docs.map((d) => d.id) };
  }
  type World = Awaited<ReturnType<typeof seed>>;

  /** Annotator and gold rows of the first document (and a span of the second), as the projection holds them. */
  async function seedLayers(store: Store, w: World) {
    const { annotationRelations, annotations, assignments, layerStates } = store.t;
    const [d1, d2] = w.docs as [number, number];
    const span = (
      layer: string,
      spanId: string,
      start: number,
      end: number,
      labelId: number,
      documentId = d1,
    ) => ({
      projectId: w.project.id,
      documentId,
      layer,
      spanId,
      start,
      end,
      labelId,
      author: null,
      createdAt: 1000,
    });
    await execute(
      store,
      run(
        store.q.insert(annotations).values([
          span(`user-${w.bob.id}`, "b-alice", 0, 5, w.person),
          span(`user-${w.bob.id}`, "b-paris", 17, 22, w.place),
          span(`user-${w.bob.id}`, "b-long", 0, 999, w.person), // past the text
          span(`user-${w.bob.id}`, "b-thing", 6, 9, w.thing), // another project's label
          span(`user-${w.cy.id}`, "c-alice", 0, 5, w.person),
          span(`user-${w.cy.id}`, "c-paris", 17, 22, w.person),
          span("user-99", "x-bob", 10, 13, w.person), // a deleted user's layer
          span("gold", "g-old", 10, 13, w.place),
          span(`user-${w.bob.id}`, "b-2", 0, 7, w.person, d2),
        ]),
      ),
    );
    const relation = (layer: string, relationId: string, fromSpan: string, toSpan: string) => ({
      projectId: w.project.id,
      documentId: d1,
      layer,
      relationId,
      fromSpan,
      toSpan,
      type: "at",
      author: null,
      createdAt: 1000,
    });
    await execute(
      store,
      run(
        store.q
          .insert(annotationRelations)
          .values([
            relation(`user-${w.bob.id}`, "r-at", "b-alice", "b-paris"),
            relation(`user-${w.bob.id}`, "r-gone", "b-alice", "nowhere"),
          ]),
      ),
    );
    await execute(
      store,
      run(
        store.q.insert(assignments).values([
          { documentId: d1, userId: w.bob.id, status: "in_progress" },
          { documentId: d1, userId: w.cy.id, status: "todo" },
          { documentId: d1, userId: w.dan.id, status: "todo" },
          { documentId: d2, userId: w.bob.id, status: "done" },
        ]),
      ),
    );
    await execute(
      store,
      run(
        store.q.insert(layerStates).values({
          projectId: w.project.id,
          documentId: d1,
          layer: `user-${w.cy.id}`,
          status: "done",
          setBy: w.cy.id,
          updatedAt: 2000,
        }),
      ),
    );
  }

  /** A collaboration API holding one gold Y.Doc per document in memory. */
  const memoryCollab = () => {
    const golds = new Map<number, Y.Doc>();
    const gold = (id: number) => {
      let doc = golds.get(id);
      if (!doc) {
        doc = new Y.Doc();
        golds.set(id, doc);
      }
      return doc;
    };
    const collab = {
      withDoc: async <T>(id: number, layer: string, fn: (doc: Y.Doc) => T | Promise<T>) => {
        expect(layer).toBe("gold");
        return fn(gold(id));
      },
    } as unknown as Deps["collab"];
    return { deps: { collab }, gold };
  };

  const dtoOf = async (store: Store, access: DocumentAccess): Promise<DtoContext> => ({
    offsets: new Offsets(access.document.text, "utf16"),
    labels: await call(store, labelNames, access.project.id),
  });

  const auditRows = (store: Store, action: string) =>
    execute(
      store,
      all(
        store.q
          .select()
          .from(store.t.auditLog)
          .where(eq(store.t.auditLog.action, action))
          .orderBy(asc(store.t.auditLog.id)),
      ),
    );

  it("status: todo until set; set with its audit row; a decision's in_progress; several at once", async () => {
    const store = await open();
    const w = await seed(store);
    const [d1, d2, d3] = w.docs as [number, number, number];
    const access = await call(store, documentAccess, w.root, d1);
    expect(await call(store, curationStatus, d1)).toBe("todo");

    await call(store, changeCurationStatus, access, "done");
    await call(store, changeCurationStatus, access, "in_progress");
    expect(await call(store, curationStatus, d1)).toBe("in_progress");
    const audits = await auditRows(store, "curation.status");
    expect(audits.map((a) => [a.userId, a.projectId, a.target, a.details])).toEqual([
      [w.root.id, w.project.id, `document:${d1}`, { from: "todo", to: "done" }],
      [w.root.id, w.project.id, `document:${d1}`, { from: "done", to: "in_progress" }],
    ]);
    const [row] = await execute(store, all(store.q.select().from(store.t.curations)));
    expect([row!.documentId, row!.status, row!.updatedBy, typeof row!.updatedAt]).toEqual([
      d1,
      "in_progress",
      w.root.id,
      "number",
    ]);

    // the first decision starts curation; in_progress and done stay
    expect(await call(store, markInProgress, d2, w.bob.id)).toBe("in_progress");
    expect(await call(store, markInProgress, d2, w.cy.id)).toBe("in_progress");
    await call(store, changeCurationStatus, { ...access, document: { ...access.document, id: d3 } }, "done");
    expect(await call(store, markInProgress, d3, w.bob.id)).toBe("done");
    const all3 = await call(store, curationStatuses, [d1, d2, d3, 9999]);
    expect([...all3].sort((a, b) => a[0] - b[0])).toEqual([
      [d1, "in_progress"],
      [d2, "in_progress"],
      [d3, "done"],
    ]);
    expect((await auditRows(store, "curation.status")).length).toBe(3); // markInProgress writes none
    expect(await call(store, curationStatuses, [])).toEqual(new Map());
  });

  it("changed after curation: a later annotator span (created or edited) of a started document, not gold's", async () => {
    const store = await open();
    const w = await seed(store);
    const { annotations, curations } = store.t;
    const [d1, d2, d3] = w.docs as [number, number, number];
    await execute(
      store,
      run(
        store.q.insert(curations).values([
          { documentId: d1, status: "in_progress", updatedBy: w.root.id, updatedAt: 5000 },
          { documentId: d2, status: "todo", updatedBy: w.root.id, updatedAt: 5000 },
          { documentId: d3, status: "done", updatedBy: w.root.id, updatedAt: 5000 },
        ]),
      ),
    );
    const span = (
      documentId: number,
      layer: string,
      spanId: string,
      createdAt: number,
      updatedAt: number | null,
    ) => ({
      projectId: w.project.id,
      documentId,
      layer,
      spanId,
      start: 0,
      end: 3,
      labelId: w.person,
      createdAt,
      updatedAt,
    });
    await execute(
      store,
      run(
        store.q.insert(annotations).values([
          span(d1, `user-${w.bob.id}`, "old", 4000, null),
          span(d1, "gold", "g", 9000, null), // gold's own changes do not count
          span(d2, `user-${w.bob.id}`, "new", 9000, null), // todo: never flagged
          span(d3, `user-${w.bob.id}`, "edited", 4000, 6000),
        ]),
      ),
    );
    const changed = (ids: number[]) =>
      call(store, documentsChangedAfterCuration, ids).then((s) => [...s].sort());
    expect(await changed([d1, d2, d3])).toEqual([d3]);
    await execute(
      store,
      run(store.q.update(annotations).set({ updatedAt: 5001 }).where(eq(annotations.spanId, "old"))),
    );
    expect(await changed([d1, d2, d3])).toEqual([d1, d3]);
    expect(await changed([d2])).toEqual([]);
    expect(await changed([])).toEqual([]);
    expect(await call(store, statusOf, d3)).toEqual({ status: "done", changedAfterCuration: true });
    expect(await call(store, statusOf, d2)).toEqual({ status: "todo", changedAfterCuration: false });
  });

  it("gold bookkeeping: audit rows and status in one transaction, the edit last; a failure writes nothing", async () => {
    const store = await open();
    const w = await seed(store);
    const [d1, d2] = w.docs as [number, number];
    const entry = (action: string) => ({
      userId: w.root.id,
      projectId: w.project.id,
      action,
      target: `document:${d1}`,
    });
    const edits: string[] = [];

    // nothing decided: no audit row, the status as it is
    expect(await call(store, goldBookkeeping, d1, w.root.id, [], () => edits.push("none"))).toBe("todo");
    expect(await call(store, curationStatus, d1)).toBe("todo");
    expect(
      await call(store, goldBookkeeping, d1, w.root.id, [entry("gold.accept"), entry("gold.reject")], () =>
        edits.push("two"),
      ),
    ).toBe("in_progress");
    expect(edits).toEqual(["none", "two"]);
    expect((await auditRows(store, "gold.accept")).map((a) => [a.userId, a.target])).toEqual([
      [w.root.id, `document:${d1}`],
    ]);
    expect((await auditRows(store, "gold.reject")).length).toBe(1);

    // the edit throws: its audit rows and the status are rolled back with it
    const failed = await settle(
      call(store, goldBookkeeping, d2, w.root.id, [entry("gold.remove")], () => {
        throw new HttpError(409, "conflict", "the edit failed");
      }),
    );
    expect(failed).toBe("409 conflict: the edit failed");
    expect(await auditRows(store, "gold.remove")).toEqual([]);
    expect(await call(store, curationStatus, d2)).toBe("todo");
  });

  it("projection reads: annotator layers with their checks, projected spans and relations, label names", async () => {
    const store = await open();
    const w = await seed(store);
    await seedLayers(store, w);
    const [d1, d2, d3] = w.docs as [number, number, number];
    expect(await call(store, labelNames, w.project.id)).toEqual(
      new Map([
        [w.person, "Person"],
        [w.place, "Place"],
      ]),
    );

    const byDoc = await call(store, annotatorLayers, [d1, d2, d3]);
    expect([...byDoc.keys()]).toEqual([d1, d2, d3]);
    const one = byDoc.get(d1)!;
    expect(one.info).toEqual([
      { userId: w.bob.id, username: "bob", layer: `user-${w.bob.id}`, status: "in_progress", spans: 2 },
      { userId: w.cy.id, username: "cy", layer: `user-${w.cy.id}`, status: "done", spans: 2 },
      { userId: w.dan.id, username: "dan", layer: `user-${w.dan.id}`, status: "todo", spans: 0 },
      { userId: 99, username: "(deleted user 99)", layer: "user-99", status: null, spans: 1 },
    ]);
    const spans = (i: number) =>
      one.layers[i]!.spans.map((s) => [s.id, s.start, s.end, s.label, (s as Span).createdAt]);
    expect(spans(0)).toEqual([
      ["b-alice", 0, 5, w.person, 1000],
      ["b-paris", 17, 22, w.place, 1000],
    ]);
    expect(spans(1)).toEqual([
      ["c-alice", 0, 5, w.person, 1000],
      ["c-paris", 17, 22, w.person, 1000],
    ]);
    expect(one.layers[0]!.relations).toEqual([
      { id: "r-at", from: "b-alice", to: "b-paris", type: "at", author: null, createdAt: 1000 },
    ]);
    expect(one.skipped).toEqual({
      total: 3,
      byReason: { outside_text: 1, unknown_label: 1, relation_missing_end: 1 },
    });
    expect(byDoc.get(d2)!.info.map((i) => [i.username, i.status, i.spans])).toEqual([["bob", "done", 1]]);
    expect(byDoc.get(d3)).toEqual({ layers: [], info: [], skipped: { total: 0, byReason: {} } });
    expect(await call(store, annotatorLayers, [])).toEqual(new Map());

    const found = await call(store, projectedSpan, d1, `user-${w.bob.id}`, "b-paris");
    expect([found?.spanId, found?.start, found?.end, found?.labelId]).toEqual(["b-paris", 17, 22, w.place]);
    expect(await call(store, projectedSpan, d1, `user-${w.bob.id}`, "b-long")).toBeNull(); // unsound
    expect(await call(store, projectedSpan, d1, `user-${w.bob.id}`, "b-thing")).toBeNull();
    expect(await call(store, projectedSpan, d1, `user-${w.cy.id}`, "b-paris")).toBeNull();
    const rel = await call(store, projectedRelation, d1, `user-${w.bob.id}`, "r-at");
    expect([rel?.fromSpan, rel?.toSpan, rel?.type]).toEqual(["b-alice", "b-paris", "at"]);
    expect(await call(store, projectedRelation, d1, `user-${w.cy.id}`, "r-at")).toBeNull();
  });

  it("two curators deciding one site at the same moment: one wins, the other gets 409 already_decided", async () => {
    const store = await open();
    const w = await seed(store);
    await seedLayers(store, w);
    const [d1] = w.docs as [number];
    const { deps, gold } = memoryCollab();
    const access = await call(store, documentAccess, w.root, d1);
    const dto = await dtoOf(store, access);
    for (const round of [0, 1, 2]) {
      const outcomes = await Promise.all(
        [`user-${w.bob.id}:b-paris`, `user-${w.cy.id}:c-paris`].map((ref) => {
          const [layer, spanId] = ref.split(":") as [string, string];
          return settle(applyDecision(store, deps, access, dto, { action: "accept", layer, spanId }));
        }),
      );
      const refused = outcomes.filter((o) => typeof o === "string");
      expect(refused, `round ${round}`).toHaveLength(1);
      expect(refused[0]).toMatch(/^409 already_decided: Already decided by Ada Lovelace at /);
      expect(readGold(gold(d1)).spans.filter((s) => s.start === 17)).toHaveLength(1);
      // the next round starts from an empty site again
      const [kept] = readGold(gold(d1)).spans;
      await applyDecision(store, deps, access, dto, { action: "remove", goldSpanId: kept!.id });
      await applyDecision(store, deps, access, dto, {
        action: "unreject",
        key: readGold(gold(d1)).rejectedEntries[0]!.key,
      });
    }
  });

  it("decisions, who decided a site, auto-merge and the view, over a gold doc of the test's own", async () => {
    const store = await open();
    const w = await seed(store);
    await seedLayers(store, w);
    const [d1] = w.docs as [number];
    const { deps, gold } = memoryCollab();
    const access = await call(store, documentAccess, w.root, d1);
    const dto = await dtoOf(store, access);
    const decide = (body: Parameters<typeof applyDecision>[4]) =>
      applyDecision(store, deps, access, dto, body);
    const goldSpans = () =>
      readGold(gold(d1))
        .spans.map((s) => [s.start, s.end, s.label, s.provenance?.via, s.provenance?.annotators])
        .sort((a, b) => (a[0] as number) - (b[0] as number));

    // accept an annotator's span: it is read from the projection, its supporters named
    const accepted = await decide({ action: "accept", layer: `user-${w.bob.id}`, spanId: "b-alice" });
    expect([accepted.status, accepted.span?.text, accepted.span?.labelName]).toEqual([
      "in_progress",
      "Alice",
      "Person",
    ]);
    expect(goldSpans()).toEqual([[0, 5, w.person, "accept", [w.bob.id, w.cy.id]]]);
    expect(await settle(decide({ action: "accept", layer: `user-${w.bob.id}`, spanId: "b-long" }))).toBe(
      `404 not_found: No span b-long in layer user-${w.bob.id}`,
    );
    await decide({ action: "accept", layer: `user-${w.cy.id}`, spanId: "c-paris" });

    // a competing version: 409 already_decided, named by the display name of who decided it
    const refused = await decide({ action: "accept", layer: `user-${w.bob.id}`, spanId: "b-paris" }).catch(
      (e: HttpError) => e,
    );
    expect(refused).toBeInstanceOf(HttpError);
    expect([(refused as HttpError).status, (refused as HttpError).code]).toEqual([409, "already_decided"]);
    expect((refused as HttpError).message).toMatch(
      /^Already decided by Ada Lovelace at \d{4}-.* — replace\?$/,
    );
    expect((refused as HttpError).details).toMatchObject({ by: "Ada Lovelace", byId: w.root.id });

    // the relation needs both ends in gold as the annotator had them: the Place version replaces Person's
    expect(
      await settle(decide({ action: "accept-relation", layer: `user-${w.bob.id}`, relationId: "r-at" })),
    ).toBe('409 conflict: Accept the relation\'s to span "Paris" into gold first');
    await decide({ action: "accept", layer: `user-${w.bob.id}`, spanId: "b-paris", replace: true });
    const related = await decide({
      action: "accept-relation",
      layer: `user-${w.bob.id}`,
      relationId: "r-at",
    });
    expect(related.relation?.type).toBe("at");
    expect(goldSpans()).toEqual([
      [0, 5, w.person, "accept", [w.bob.id, w.cy.id]],
      [17, 22, w.place, "accept", [w.bob.id]],
    ]);
    expect(readGold(gold(d1)).rejected).toEqual([`s:17:22:${w.person}`]);
    expect(
      (await auditRows(store, "gold.accept")).map((a) => [
        a.userId,
        a.target?.startsWith(`document:${d1}/span:`),
      ]),
    ).toEqual([
      [w.root.id, true],
      [w.root.id, true],
      [w.root.id, true],
    ]);
    expect((await auditRows(store, "gold.accept-relation")).length).toBe(1);

    // no gold span or rejection over a site: who decided is the document's latest gold audit row
    const env = { store, access, layers: [], dto, now: Date.now() };
    const latest = (await auditRows(store, "gold.accept-relation"))[0]!;
    const err = await execute(store, alreadyDecided(env, gold(d1), { start: 6, end: 9 }));
    expect([err.status, err.message]).toEqual([
      409,
      `Already decided by Ada Lovelace at ${new Date(latest.at).toISOString()} — replace?`,
    ]);
    const empty = new Y.Doc();
    const none = await execute(
      store,
      alreadyDecided({ ...env, access: { ...access, document: { ...access.document, id: 9999 } } }, empty, {
        start: 0,
        end: 1,
      }),
    );
    expect(none.message).toBe("Already decided by someone — replace?");

    // auto-merge: the agreed span is in gold already, nothing else is agreed on by enough annotators
    const merged = await autoMerge(store, deps, access, {}, dto);
    expect([merged.status, merged.added]).toEqual(["in_progress", { spans: [], relations: [] }]);

    // the view: annotators from the projection, gold from the doc, the status and the flag from the database
    const view = await documentCuration(store, deps, access, dto, {});
    expect(view.annotators.map((a) => [a.username, a.spans])).toEqual([
      ["bob", 2],
      ["cy", 2],
      ["dan", 0],
      ["(deleted user 99)", 1],
    ]);
    expect([
      view.status,
      view.changedAfterCuration,
      view.gold.spans.length,
      view.gold.relations.length,
    ]).toEqual(["in_progress", false, 2, 1]);
    expect(view.rejected.map((r) => [r.key, r.by])).toEqual([[`s:17:22:${w.person}`, w.root.id]]);
  });
});
