/**
 * GET /projects/:id/curation from the projection: its figures equal what the live rooms say (annotator
 * layers, gold spans, gold's rejected keys), it never opens a room to list, it pages, filters and sorts on
 * the server, and its cached per-document summaries are dropped exactly when their inputs change.
 */

import { call, get } from "@gloss/server/db/store";
import type { SummaryRow } from "@gloss/server/services/agreement/protocol";
import { agreementService } from "@gloss/server/services/agreement/service";
import { projectSummaries, storeSummaryRows } from "@gloss/server/services/curation/summaries";
import {
  type AnnotatorLayer,
  addSpan,
  alignLayers,
  type DocumentCurationDto,
  type LayerContext,
  listSpans,
  type ProjectCurationDto,
  rejectedOf,
  seededRandom,
  userLayer,
} from "@gloss/shared";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededProject, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";
import { sqlRow, sqlRows, sqlRun } from "../helpers/sql";

const TEXT =
  "😀 The minister said taxes will rise. Critics denied it. Prices may fall. Sources say so, they said.";
const DOCS = 36;

let server: TestServer;
let project: SeededProject;
let annotators: SeededUser[];
let curator: SeededUser;
let docIds: number[];
let api: ApiClient;

/** The layer context of a seeded document (each text is TEXT and a number, so the phrases are where TEXT has them). */
const ctxOf = (p: SeededProject, i = 0): LayerContext => ({
  text: `${TEXT} (${i})`,
  labelIds: new Set(p.labels.map((l) => l.id)),
  relationTypes: new Set(),
});

beforeAll(async () => {
  // a file database: the listing's summaries are computed in the worker thread, as in production
  server = await startServer({ file: true });
  const db = server.store;
  annotators = [];
  for (let i = 0; i < 3; i++) annotators.push(await addUser(db));
  curator = await addUser(db);
  project = await addProject(db, {
    members: [
      ...annotators.map((user) => ({ user, role: "annotator" as const })),
      { user: curator, role: "curator" },
    ],
  });
  docIds = [];
  for (let i = 0; i < DOCS; i++)
    docIds.push(
      (
        await addDocument(db, project.id, `${TEXT} (${i})`, {
          name: `${i % 4 === 0 ? "letter" : "note"}-${String(i).padStart(2, "0")}.txt`,
          assignTo: annotators,
        })
      ).id,
    );
  api = new ApiClient(server.url);
  api.cookie = curator.cookie;

  // Annotators label a few fixed phrases, each with some chance of skipping one or picking another label:
  // agreements, missing spans and label disagreements in every mix. Some documents stay empty.
  const rand = seededRandom(11);
  const labels = project.labels.map((l) => l.id);
  const phrases = ["minister", "taxes will rise", "Critics denied it", "Prices may fall", "Sources"];
  const ctx = ctxOf(project);
  for (const [i, id] of docIds.entries()) {
    if (i % 9 === 8) continue;
    for (const a of annotators) {
      await server.deps.collab.withDoc(id, userLayer(a.id), (doc) => {
        for (const p of phrases) {
          if (rand() < 0.3) continue;
          const start = TEXT.indexOf(p);
          const label = rand() < 0.75 ? labels[0]! : labels[1 + Math.floor(rand() * (labels.length - 1))]!;
          addSpan(doc, { start, end: start + p.length, label, author: a.id }, ctx);
        }
      });
    }
  }
  // A curator works on some: auto-merge (gold spans), rejections of real disagreement keys, a status.
  for (const [i, id] of docIds.entries()) {
    if (i % 3 !== 0) continue;
    const url = `/api/documents/${id}/curation`;
    await api.post(`${url}/auto-merge`, {});
    const view = await api.get<DocumentCurationDto>(url);
    const keys = view.sites.flatMap((s) => s.disagreements.map((d) => d.key));
    for (const key of keys.slice(0, 1 + (i % 2)))
      await api.post(`${url}/decisions`, { action: "reject", key });
    if (i % 6 === 0) await api.json("PUT", `${url}/status`, { status: "done" });
  }
  await server.deps.collab.flush();
});
afterAll(() => server.close());

/** What the live rooms say about each document, computed as the per-document view does. */
async function fromLiveRooms(ids: number[]) {
  const out = new Map<
    number,
    { annotators: number; annotatedLayers: number; disagreements: number; open: number; goldSpans: number }
  >();
  for (const id of ids) {
    const layers: AnnotatorLayer[] = [];
    for (const a of annotators) {
      const layer = userLayer(a.id);
      const spans = await server.deps.collab.withDoc(id, layer, listSpans);
      layers.push({ layer, userId: a.id, spans, relations: [] });
    }
    const gold = await server.deps.collab.withDoc(id, "gold", (d) => ({
      spans: listSpans(d),
      rejected: [...rejectedOf(d).keys()],
    }));
    const al = alignLayers(layers, gold);
    out.set(id, {
      annotators: layers.length,
      annotatedLayers: layers.filter((l) => l.spans.length > 0).length,
      disagreements: al.counts.disagreements,
      open: al.counts.open,
      goldSpans: gold.spans.length,
    });
  }
  return out;
}

/** The cached summary row of a document, as the worker hands them over. */
const summaryRowsOf = async (documentId: number): Promise<SummaryRow> => {
  const r = (await call(server.store, function* (s) {
    const t = s.t.curationSummaries;
    return yield* get(s.q.select().from(t).where(eq(t.documentId, documentId)));
  }))!;
  return [r.documentId, r.stamp, r.annotators, r.annotatedLayers, r.disagreements, r.open, r.goldSpans];
};

const listing = (query = "") => api.get<ProjectCurationDto>(`/api/projects/${project.id}/curation${query}`);

/** Every page of a listing, `limit` at a time. */
async function allPages(query: string, limit: number) {
  const docs: ProjectCurationDto["documents"] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await listing(`?limit=${limit}&offset=${offset}${query}`);
    docs.push(...page.documents);
    if (page.documents.length < limit) return { docs, total: page.total };
  }
}

describe("project curation listing", () => {
  it("equals what the live rooms say, document by document, without opening a room", async () => {
    await server.deps.collab.flush();
    const withDoc = vi.spyOn(server.deps.collab, "withDoc");
    const { docs, total } = await allPages("", 10);
    expect(withDoc).not.toHaveBeenCalled();
    withDoc.mockRestore();
    expect(total).toBe(DOCS);
    expect(docs.map((d) => d.documentId)).toEqual(docIds);

    const live = await fromLiveRooms(docIds);
    for (const d of docs) {
      const { documentId, annotators, annotatedLayers, disagreements, open, goldSpans } = d;
      expect({ documentId, annotators, annotatedLayers, disagreements, open, goldSpans }).toEqual({
        documentId,
        ...live.get(documentId),
      });
    }
    // the data has every case: open and settled disagreements, gold, empty documents
    expect(docs.some((d) => d.open > 0)).toBe(true);
    expect(docs.some((d) => d.disagreements > d.open)).toBe(true);
    expect(docs.some((d) => d.goldSpans > 0)).toBe(true);
    expect(docs.some((d) => d.annotatedLayers === 0)).toBe(true);

    const first = await listing();
    const done = docs.filter((d) => d.status === "done");
    expect(done.length).toBeGreaterThan(0);
    expect(first.counts).toEqual({
      documents: DOCS,
      todo: docs.filter((d) => d.status === "todo").length,
      in_progress: docs.filter((d) => d.status === "in_progress").length,
      done: done.length,
      open: docs.reduce((n, d) => n + d.open, 0),
    });
    expect(first.nextDocumentId).toBe(
      docs.find((d) => d.open > 0 && d.status !== "done")?.documentId ?? null,
    );
  });

  it("filters, searches and sorts on the server, and counts every match", async () => {
    const { docs: all } = await allPages("", 1000);
    const letters = await allPages("&q=LETTER", 4);
    expect(letters.docs.map((d) => d.name)).toEqual(
      all.filter((d) => d.name.startsWith("letter")).map((d) => d.name),
    );
    expect(letters.total).toBe(DOCS / 4);

    const open = await allPages("&open=true", 7);
    expect(open.docs.map((d) => d.documentId)).toEqual(
      all.filter((d) => d.open > 0).map((d) => d.documentId),
    );
    expect(open.total).toBe(open.docs.length);
    const settled = await listing("?open=false&limit=1000");
    expect(settled.total + open.total).toBe(DOCS);

    const done = await listing("?status=done");
    expect(done.documents.every((d) => d.status === "done")).toBe(true);
    expect(done.total).toBe(all.filter((d) => d.status === "done").length);

    const byOpen = await allPages("&sort=open", 5);
    const want = [...all].sort((a, b) => b.open - a.open || a.documentId - b.documentId);
    expect(byOpen.docs.map((d) => d.documentId)).toEqual(want.map((d) => d.documentId));
    const byName = await listing("?sort=name&limit=3&offset=2");
    const names = all.map((d) => d.name).sort();
    expect(byName.documents.map((d) => d.name)).toEqual(names.slice(2, 5));

    // the project's counts do not depend on the filters
    expect((await listing("?q=letter")).counts).toEqual((await listing()).counts);
    for (const bad of ["?limit=0", "?limit=1001", "?sort=size", "?status=finished", "?open=yes"]) {
      const res = await api.request("GET", `/api/projects/${project.id}/curation${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });

  it("a change to an annotator layer, gold or a rejected key makes that document's summary stale, and only it", async () => {
    await listing();
    /** Documents of the project whose cached summary is missing or computed at an older stamp. */
    const stale = async () =>
      (
        await sqlRows<{ id: number }>(
          server.store,
          sql`SELECT d.id FROM documents d LEFT JOIN curation_stamps st ON st.document_id = d.id
             LEFT JOIN curation_summaries s ON s.document_id = d.id
             WHERE d.project_id = ${project.id} AND (s.document_id IS NULL OR s.stamp <> coalesce(st.n, 0)) ORDER BY d.id`,
        )
      ).map((r) => r.id);
    expect(await stale()).toEqual([]);
    const [one, two, three] = [docIds[1]!, docIds[2]!, docIds[4]!];
    const labels = project.labels.map((l) => l.id);
    await server.deps.collab.withDoc(one, userLayer(annotators[0]!.id), (d) =>
      addSpan(d, { start: 3, end: 6, label: labels[2]!, author: annotators[0]!.id }, ctxOf(project)),
    );
    await server.deps.collab.withDoc(two, "gold", (d) =>
      addSpan(d, { start: 3, end: 6, label: labels[2]!, author: curator.id }, ctxOf(project)),
    );
    await server.deps.collab.withDoc(three, "gold", (d) =>
      rejectedOf(d).set("s:0:2:1", { by: curator.id, at: 1 }),
    );
    await server.deps.collab.flush();
    expect(await stale()).toEqual([one, two, three]);

    // the next listing recomputes them, and they agree with the live rooms again
    const page = await listing("?limit=1000");
    expect(await stale()).toEqual([]);
    const live = await fromLiveRooms([one, two, three]);
    for (const id of [one, two, three]) {
      const d = page.documents.find((x) => x.documentId === id)!;
      expect({ open: d.open, disagreements: d.disagreements, goldSpans: d.goldSpans }).toEqual({
        open: live.get(id)!.open,
        disagreements: live.get(id)!.disagreements,
        goldSpans: live.get(id)!.goldSpans,
      });
    }
    // a label added to or removed from the project makes every summary of the project stale
    await sqlRun(
      server.store,
      sql`INSERT INTO labels (project_id, name, color) VALUES (${project.id}, 'tmp', '#000000')`,
    );
    expect(await stale()).toEqual(docIds);
    await listing();
    expect(await stale()).toEqual([]);

    // figures computed from a snapshot that a change then overtook (the worker's race) land stale
    const rows = await call(server.store, projectSummaries, project.id);
    expect(rows).toEqual([]);
    const before = await summaryRowsOf(one);
    await server.deps.collab.withDoc(one, userLayer(annotators[1]!.id), (d) =>
      addSpan(d, { start: 7, end: 15, label: labels[3]!, author: annotators[1]!.id }, ctxOf(project)),
    );
    await server.deps.collab.flush();
    await call(server.store, storeSummaryRows, project.id, [before]);
    expect(await stale()).toEqual([one]);
    const fresh = (await listing("?limit=1000")).documents.find((d) => d.documentId === one)!;
    expect(fresh.disagreements).toBe((await fromLiveRooms([one])).get(one)!.disagreements);
    expect(await stale()).toEqual([]);
  });
});

describe("after a bulk import", () => {
  it("the project's summaries are refreshed in the worker in the background; a listing meanwhile waits for that refresh, not a second one", async () => {
    const own = await startServer({ file: true });
    try {
      const manager = await addUser(own.store);
      const p = await addProject(own.store, { members: [{ user: manager, role: "manager" }] });
      const api = new ApiClient(own.url);
      api.cookie = manager.cookie;
      const summaries = async () =>
        (await sqlRow<{ n: number }>(
          own.store,
          sql`SELECT cast(count(*) as integer) AS n FROM curation_summaries WHERE project_id = ${p.id}`,
        ))!.n;
      const worker = agreementService(own.store, own.deps.log).worker!;
      const lines = Array.from({ length: 3000 }, (_, i) =>
        JSON.stringify({ name: `n-${i}`, text: `Text ${i}.` }),
      );
      const imported = await importLines(own, manager, p.id, lines.join("\n"));
      expect(imported).toBe(3000);
      // nobody listed: the refresh the import started stores every summary
      await vi.waitFor(async () => expect(await summaries()).toBe(3000), { timeout: 20_000 });
      const jobs = worker.answered;
      const page = await api.get<ProjectCurationDto>(`/api/projects/${p.id}/curation?limit=10`);
      expect(page.total).toBe(3000);
      // one job: the page (nothing was stale any more)
      expect(worker.answered - jobs).toBe(1);

      // a second import, listed at once: the listing joins the running refresh (the worker computes the
      // stale summaries once), and counts every document
      const more = Array.from({ length: 3000 }, (_, i) =>
        JSON.stringify({ name: `m-${i}`, text: `More ${i}.` }),
      );
      expect(await importLines(own, manager, p.id, more.join("\n"))).toBe(3000);
      const before = worker.answered;
      const listed = await api.get<ProjectCurationDto>(`/api/projects/${p.id}/curation?limit=10`);
      expect(listed.total).toBe(6000);
      expect(await summaries()).toBe(6000);
      // the refresh and the page: never the refresh twice over
      expect(worker.answered - before).toBeLessThanOrEqual(2);
    } finally {
      await own.close();
    }
  }, 60_000);
});

/** Imports NDJSON lines into a project through the API; the count imported. */
async function importLines(
  s: TestServer,
  user: SeededUser,
  projectId: number,
  body: string,
): Promise<number> {
  const res = await fetch(`${s.url}/api/projects/${projectId}/documents?name=bulk.jsonl`, {
    method: "POST",
    headers: { cookie: user.cookie, origin: s.url, "content-type": "application/x-ndjson" },
    body,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { imported: { count: number } }).imported.count;
}
