/**
 * Agreement, curation summaries and export over both databases (services/agreement*, curation/summaries.ts,
 * export*.ts): one small project — two annotator layers and gold, a relation, assignments, a layer status,
 * a rejected gold key, a curated document — seeded the same way on SQLite and on PostgreSQL; its agreement
 * report, its curation summaries and listing, and its exports (JSONL and token/CSV formats, gold and every
 * annotator layer) must come out the same on both, on the main thread and, on PostgreSQL, through the
 * worker thread (which opens its own pool to the same database). The last test compares the two backends'
 * results with each other.
 */

import type { ProjectAccess } from "@gloss/server/auth/access";
import { projectAccess } from "@gloss/server/auth/access";
import { toUserDto } from "@gloss/server/auth/sessions";
import { all, call, execute, run, type Store } from "@gloss/server/db/store";
import { readZip } from "@gloss/server/import/zip";
import { createLogger } from "@gloss/server/log";
import { agreementReport } from "@gloss/server/services/agreement";
import { agreementService, closeAgreement, reportPage } from "@gloss/server/services/agreement/service";
import {
  curationPage,
  projectCuration,
  projectSummaries,
  storeSummaryRows,
} from "@gloss/server/services/curation/summaries";
import { planExport } from "@gloss/server/services/export";
import { openExport } from "@gloss/server/services/exportStream";
import { createProject } from "@gloss/server/services/projects";
import { createUser } from "@gloss/server/services/users";
import { ExportQuery, ProjectCurationQuery } from "@gloss/shared";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BACKENDS, useClosers } from "../helpers/backends";

const log = createLogger("error");
const closers = useClosers();

const TEXTS = [
  "Alice met Bob in Paris.",
  "Carol flew to Rome on Monday.\nShe stayed a week.",
  "Nothing happened in Oslo.",
  "Zoë visited Köln twice.",
];

/** What each backend produced, compared by the last test. */
const results = new Map<string, Record<string, unknown>>();

/** The agreement report without its timing. */
const withoutTime = <T extends { elapsedMs: number }>(r: T) => ({ ...r, elapsedMs: 0 });

describe.each(BACKENDS)("on $name", (backend) => {
  const open = async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    // the agreement service (and its worker, on PostgreSQL) ends before the database is dropped
    closers.push(() => closeAgreement(store));
    return store;
  };

  async function seed(store: Store) {
    const {
      annotationRelations,
      annotations,
      assignments,
      curations,
      documents,
      goldRejections,
      layerStates,
    } = store.t;
    const user = async (username: string) =>
      toUserDto(await createUser(store, { username, password: "correct horse battery" }));
    const root = await user("root");
    const bob = await user("bob");
    const cy = await user("cy");
    const project = await call(store, createProject, root.id, {
      name: "Travels",
      labels: [{ name: "Person" }, { name: "Place" }, { name: "Time" }],
      relationTypes: ["at"],
    });
    const { labels } = store.t;
    const labelRows = await execute(
      store,
      all(store.q.select().from(labels).where(eq(labels.projectId, project.id))),
    );
    const label = (name: string) => labelRows.find((l) => l.name === name)!.id;
    const [person, place, time] = [label("Person"), label("Place"), label("Time")];
    const docs: number[] = [];
    for (const [i, text] of TEXTS.entries()) {
      const [row] = await execute(
        store,
        all(
          store.q
            .insert(documents)
            .values({
              projectId: project.id,
              name: `doc-${i + 1}`,
              text,
              sha256: `sha-${i + 1}`,
              length: [...text].length,
              meta: i === 0 ? JSON.stringify({ source: "test" }) : undefined,
            })
            .returning(),
        ),
      );
      docs.push(row!.id);
    }
    const [d1, d2, d3, d4] = docs as [number, number, number, number];
    const b = `user-${bob.id}`;
    const c = `user-${cy.id}`;
    let at = 1_000;
    const span = (
      documentId: number,
      layer: string,
      spanId: string,
      start: number,
      end: number,
      labelId: number,
    ) => ({
      projectId: project.id,
      documentId,
      layer,
      spanId,
      start,
      end,
      labelId,
      author: layer === "gold" ? root.id : layer === b ? bob.id : cy.id,
      note: spanId === "b-Alice" ? "the first" : null,
      extra: spanId === "g-Paris" ? JSON.stringify({ from: b }) : null,
      createdAt: at++,
    });
    await execute(
      store,
      run(
        store.q.insert(annotations).values([
          span(d1, b, "b-Alice", 0, 5, person),
          span(d1, b, "b-Bob", 10, 13, person),
          span(d1, b, "b-Paris", 17, 22, place),
          span(d1, c, "c-alice", 0, 5, person),
          span(d1, c, "C-paris", 17, 22, person), // same place, other label; an id in capitals
          span(d1, c, "c-bo", 10, 12, person), // overlaps Bob
          span(d2, b, "b-Carol", 0, 5, person),
          span(d2, b, "b-Rome", 14, 18, place),
          span(d2, b, "b-Monday", 22, 28, time),
          span(d2, c, "c-Carol", 0, 5, person),
          span(d2, c, "c-Rome", 14, 18, place),
          span(d2, c, "c-week", 41, 47, time),
          span(d2, c, "c-bad", 40, 900, time), // past the text: skipped everywhere
          span(d4, b, "b-Zoë", 0, 3, person),
          span(d4, c, "c-Köln", 12, 16, place),
          span(d1, "gold", "g-Alice", 0, 5, person),
          span(d1, "gold", "g-Paris", 17, 22, place),
          span(d2, "gold", "g-Carol", 0, 5, person),
        ]),
      ),
    );
    await execute(
      store,
      run(
        store.q.insert(annotationRelations).values([
          {
            projectId: project.id,
            documentId: d1,
            layer: b,
            relationId: "r1",
            fromSpan: "b-Alice",
            toSpan: "b-Paris",
            type: "at",
            author: bob.id,
            createdAt: 5_000,
          },
          {
            projectId: project.id,
            documentId: d1,
            layer: "gold",
            relationId: "g-r1",
            fromSpan: "g-Alice",
            toSpan: "g-Paris",
            type: "at",
            author: root.id,
            createdAt: 5_001,
          },
        ]),
      ),
    );
    await execute(
      store,
      run(
        store.q.insert(assignments).values([
          { documentId: d1, userId: bob.id, status: "done", updatedAt: 10 },
          { documentId: d1, userId: cy.id, status: "in_progress", updatedAt: 10 },
          { documentId: d2, userId: bob.id, status: "done", updatedAt: 10 },
          { documentId: d3, userId: cy.id, status: "todo", updatedAt: 10 },
        ]),
      ),
    );
    // cy is done with document 3 without a span: the layer takes part
    await execute(
      store,
      run(
        store.q.insert(layerStates).values({
          projectId: project.id,
          documentId: d3,
          layer: c,
          status: "done",
          setBy: cy.id,
          updatedAt: 20,
        }),
      ),
    );
    await execute(
      store,
      run(
        store.q
          .insert(goldRejections)
          .values({ projectId: project.id, documentId: d2, key: "0:5:x", by: root.id, at: 30 }),
      ),
    );
    // document 1 curated, document 2 in progress (a gold export holds document 1 only)
    await execute(
      store,
      run(
        store.q.insert(curations).values([
          { documentId: d1, status: "done", updatedBy: root.id, updatedAt: 1 },
          { documentId: d2, status: "in_progress", updatedBy: root.id, updatedAt: 1 },
        ]),
      ),
    );
    const access = await call(store, projectAccess, root, project.id);
    return { root, bob, cy, project, access, docs, person, place, time };
  }

  /** The bytes of an export read on this thread, chunk by chunk through the store. */
  async function exportHere(store: Store, projectId: number, query: string): Promise<Buffer> {
    const job = await execute(
      store,
      planExport(store, projectId, ExportQuery.parse(Object.fromEntries(new URLSearchParams(query)))),
    );
    const reader = job.open();
    const parts: Buffer[] = [];
    for (;;) {
      const chunk = await execute(store, reader.pull());
      if (!chunk) break;
      parts.push(Buffer.from(chunk));
    }
    expect(job.stats.state).toBe("done");
    return Buffer.concat(parts);
  }

  /** The bytes of an export as the HTTP route streams it (through the worker thread on PostgreSQL). */
  async function exportStreamed(store: Store, projectId: number, query: string): Promise<Buffer> {
    const job = await openExport(
      { store, log },
      projectId,
      ExportQuery.parse(Object.fromEntries(new URLSearchParams(query))),
      new AbortController().signal,
    );
    const parts: Buffer[] = [];
    for (;;) {
      const chunk = await job.next();
      if (!chunk) break;
      parts.push(Buffer.from(chunk));
    }
    expect(job.stats().state).toBe("done");
    return Buffer.concat(parts);
  }

  /**
   * A zip export's files as text (the zip's own bytes hold the time it was written; the dataset card its
   * export time: left out).
   */
  const filesOf = (zip: Buffer) =>
    Object.fromEntries(
      [...readZip(zip)]
        .filter(([name]) => name !== "README.md")
        .map(([name, bytes]) => [name, Buffer.from(bytes).toString("utf8")]),
    );

  const EXPORTS = [
    "format=gloss",
    "format=gloss&layer=all",
    "format=gloss&layer=gold&includeUncurated=true",
    "format=conll&layer=majority",
    "format=csv&layer=all&status=done",
    "format=doccano-relations&layer=all",
  ];
  const ZIPS = [
    "format=brat&layer=all",
    // two curated-or-not documents cannot fill three splits: the sentences are split (the texts are read)
    "format=huggingface&layer=gold&includeUncurated=true&documents=1,2",
    "format=huggingface&layer=user-2&granularity=document&overlap=per-label",
  ];

  it("gives the agreement report, the curation summaries and the exports", async () => {
    const store = await open();
    const w = await seed(store);
    const out: Record<string, unknown> = {};

    // agreement, on this thread
    const report = await execute(store, agreementReport(store, w.project.id, {}));
    expect(report.annotators.map((a) => [a.layer, a.username])).toEqual([
      [`user-${w.bob.id}`, "bob"],
      [`user-${w.cy.id}`, "cy"],
    ]);
    expect(report.skippedRows.total).toBe(1);
    expect(report.skippedRows.rooms).toEqual([`doc/${w.docs[1]}/user-${w.cy.id} (1)`]);
    expect(report.perDocument.map((d) => d.documentId).sort()).toEqual(
      [w.docs[0], w.docs[1], w.docs[3]].sort(),
    );
    out.agreement = withoutTime(report);
    const filtered = await execute(
      store,
      agreementReport(store, w.project.id, { labels: ["Person"], documents: [w.docs[0]!], minIou: 0.5 }),
    );
    out.filtered = withoutTime(filtered);
    await expect(execute(store, agreementReport(store, w.project.id, { labels: ["Nope"] }))).rejects.toThrow(
      /no label "Nope"/,
    );

    // the report through the service: the worker thread on PostgreSQL, this thread for SQLite in memory
    const service = agreementService(store, log);
    expect(service.worker !== null).toBe(store.dialect === "pg");
    const answer = await service.report(w.project.id, {});
    const served = JSON.parse(reportPage(answer.outcome, { limit: 100, offset: 0, sort: "id" }));
    expect({ ...served, elapsedMs: 0 }).toEqual({
      ...withoutTime(report),
      total: report.perDocument.length,
      perDocument: [...report.perDocument].sort((a, b) => a.documentId - b.documentId),
    });

    // curation summaries: computed, stored, listed
    const rows = await execute(store, projectSummaries(store, w.project.id));
    expect(rows.map((r) => r[0])).toEqual(w.docs);
    out.summaries = rows.map(([id, , ...figures]) => [id, ...figures]);
    await execute(store, storeSummaryRows(store, w.project.id, rows));
    expect(await execute(store, projectSummaries(store, w.project.id))).toEqual([]);
    const pages: unknown[] = [];
    for (const query of [
      { sort: "id" },
      { sort: "name", q: "DOC-" },
      { sort: "disagreements", open: "true" },
      { sort: "open", status: "done" },
      { sort: "id", limit: "2", offset: "1" },
    ]) {
      const q = ProjectCurationQuery.parse(query);
      const page = await execute(store, curationPage(store, w.access as ProjectAccess, q));
      pages.push(page);
    }
    expect((pages[0] as { counts: unknown }).counts).toEqual({
      documents: 4,
      todo: 2,
      in_progress: 1,
      done: 1,
      open: expect.any(Number),
    });
    out.pages = pages;
    // the listing as the route reads it (the worker on PostgreSQL): the same page
    const listed = await projectCuration(
      { store, log },
      w.access,
      ProjectCurationQuery.parse({ sort: "id" }),
    );
    expect(listed).toEqual(pages[0]);

    // exports: on this thread, and as the route streams them (the worker on PostgreSQL), the same bytes
    const exports: Record<string, string> = {};
    for (const query of EXPORTS) {
      const here = await exportHere(store, w.project.id, query);
      expect((await exportStreamed(store, w.project.id, query)).equals(here)).toBe(true);
      exports[query] = here.toString("utf8");
    }
    const zips: Record<string, Record<string, string>> = {};
    for (const query of ZIPS) {
      const here = filesOf(await exportHere(store, w.project.id, query));
      expect(filesOf(await exportStreamed(store, w.project.id, query))).toEqual(here);
      expect(Object.keys(here).length).toBeGreaterThan(2);
      zips[query] = here;
    }
    out.zips = zips;
    const gold = exports["format=gloss"]!.trim().split("\n");
    expect(gold).toHaveLength(1); // the curated document only
    expect(JSON.parse(gold[0]!)).toMatchObject({ id: w.docs[0], layer: "gold" });
    expect(exports["format=gloss&layer=all"]!.trim().split("\n")).toHaveLength(7);
    out.exports = exports;
    if (store.dialect === "pg")
      expect(service.worker!.answered).toBeGreaterThan((EXPORTS.length + ZIPS.length) * 2);

    // a bad query is refused before any byte, on either path
    await expect(exportStreamed(store, w.project.id, "format=gloss&labels=Nope")).rejects.toThrow(
      /Unknown labels in the filter: Nope/,
    );
    await expect(exportStreamed(store, 9999, "format=gloss")).rejects.toThrow(/No such project/);

    results.set(backend.name, out);
  }, 60_000);
});

describe.each(BACKENDS)("on $name, a larger project", (backend) => {
  it("gives the agreement report of 1,100 documents (more than one read of texts ahead)", async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    const { annotations, documents } = store.t;
    const root = toUserDto(await createUser(store, { username: "root", password: "correct horse battery" }));
    const bob = toUserDto(await createUser(store, { username: "bob", password: "correct horse battery" }));
    const cy = toUserDto(await createUser(store, { username: "cy", password: "correct horse battery" }));
    const project = await call(store, createProject, root.id, {
      name: "Many",
      labels: [{ name: "A" }, { name: "B" }],
    });
    const labelIds = (
      await execute(
        store,
        all(store.q.select().from(store.t.labels).where(eq(store.t.labels.projectId, project.id))),
      )
    ).map((l) => l.id);
    const docs = await execute(
      store,
      all(
        store.q
          .insert(documents)
          .values(
            Array.from({ length: 1100 }, (_, i) => {
              const text = `Document ${i} has words: ${"lorem ipsum ".repeat(1 + (i % 5))}end.`;
              return { projectId: project.id, name: `d${i}`, text, sha256: `s${i}`, length: text.length };
            }),
          )
          .returning({ id: documents.id }),
      ),
    );
    const rows = docs.flatMap(({ id }, i) =>
      [bob, cy].flatMap((u, k) =>
        // the two layers agree on some documents, differ in label or extent on others; some have one layer only
        i % 7 === k
          ? []
          : [
              {
                projectId: project.id,
                documentId: id,
                layer: `user-${u.id}`,
                spanId: `s${i}`,
                start: 0,
                end: 8 + (i % 3 === 0 ? k : 0),
                labelId: labelIds[(i % 4 === 0 ? k : 0) % 2]!,
                createdAt: 1,
              },
              ...(i % 11 === 0
                ? [
                    {
                      projectId: project.id,
                      documentId: id,
                      layer: `user-${u.id}`,
                      spanId: "bad",
                      start: 5,
                      end: 9_999,
                      labelId: labelIds[1]!,
                      createdAt: 1,
                    },
                  ]
                : []),
            ],
      ),
    );
    for (let i = 0; i < rows.length; i += 500)
      await execute(store, run(store.q.insert(annotations).values(rows.slice(i, i + 500))));
    const report = await execute(store, agreementReport(store, project.id, {}));
    expect(report.overall.documents.total).toBe(1100);
    expect(report.skippedRows.total).toBeGreaterThan(0);
    const out = results.get(`large ${backend.name}`) ?? {};
    out.report = withoutTime(report);
    results.set(`large ${backend.name}`, out);
  }, 60_000);
});

describe("SQLite and PostgreSQL", () => {
  it("give the same report, summaries, listings and export bytes", () => {
    const [sqlite, pg] = [results.get("SQLite") ?? {}, results.get("PostgreSQL") ?? {}];
    expect([...results.keys()], "both backends ran the tests above").toEqual([
      "SQLite",
      "PostgreSQL",
      "large SQLite",
      "large PostgreSQL",
    ]);
    expect(pg.agreement).toEqual(sqlite.agreement);
    expect(pg.filtered).toEqual(sqlite.filtered);
    expect(pg.summaries).toEqual(sqlite.summaries);
    expect(pg.pages).toEqual(sqlite.pages);
    expect(pg.exports).toEqual(sqlite.exports);
    expect(pg.zips).toEqual(sqlite.zips);
    expect(results.get("large PostgreSQL")?.report).toEqual(results.get("large SQLite")?.report);
    expect(results.get("large SQLite")?.report).toBeDefined();
  });
});
