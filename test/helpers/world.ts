/**
 * The export/import tests' seeded project on either database: the Unicode fixture documents
 * (test/fixtures/formats/unicode.json), gold spans, three annotators assigned to every document, written
 * through a test server's store (`server.store`) straight into the projection tables, as the collaboration
 * server would.
 */

import { call, type Gen, run, type Store } from "@gloss/server/db/store";
import { and, eq } from "drizzle-orm";
import fixture from "../fixtures/formats/unicode.json";
import { addDocument, addProject, addUser, type SeededProject, type SeededUser } from "./seed";

export interface SpanSeed {
  id: string;
  start: number;
  end: number;
  label: string;
  note?: string | null;
  author?: number | null;
  extra?: Record<string, unknown> | null;
}

export interface World {
  project: SeededProject;
  manager: SeededUser;
  curator: SeededUser;
  annotator: SeededUser;
  annotator2: SeededUser;
  annotator3: SeededUser;
  outsider: SeededUser;
  docs: Array<{
    id: number;
    name: string;
    text: string;
    spans: SpanSeed[];
    relations: Array<[number, number, string]>;
  }>;
  labelId: (name: string) => number;
}

type RelationSeed = { id: string; from: string; to: string; type: string };

function* layerRows(
  store: Store,
  projectId: number,
  documentId: number,
  layer: string,
  spans: SpanSeed[],
  labelId: (name: string) => number,
  relations: RelationSeed[],
): Gen<void> {
  const { annotationRelations, annotations } = store.t;
  if (spans.length)
    yield* run(
      store.q.insert(annotations).values(
        spans.map((s) => ({
          projectId,
          documentId,
          layer,
          spanId: s.id,
          start: s.start,
          end: s.end,
          labelId: labelId(s.label),
          author: s.author ?? null,
          note: s.note ?? null,
          extra: s.extra ? JSON.stringify(s.extra) : null,
          createdAt: 1_700_000_000_000,
        })),
      ),
    );
  if (relations.length)
    yield* run(
      store.q.insert(annotationRelations).values(
        relations.map((r) => ({
          projectId,
          documentId,
          layer,
          relationId: r.id,
          fromSpan: r.from,
          toSpan: r.to,
          type: r.type,
          author: null,
          createdAt: 1_700_000_000_000,
        })),
      ),
    );
}

/** Writes projection rows for one (document, layer). */
export const addLayer = (
  store: Store,
  projectId: number,
  documentId: number,
  layer: string,
  spans: SpanSeed[],
  labelId: (name: string) => number,
  relations: RelationSeed[] = [],
): Promise<void> => call(store, layerRows, projectId, documentId, layer, spans, labelId, relations);

/** The project: manager, curator, three annotators (assigned to every document), an outsider; gold = the fixture spans. */
export async function addWorld(store: Store): Promise<World> {
  const manager = await addUser(store);
  const curator = await addUser(store);
  const annotator = await addUser(store);
  const annotator2 = await addUser(store);
  const annotator3 = await addUser(store);
  const outsider = await addUser(store);
  const project = await addProject(store, {
    members: [
      { user: manager, role: "manager" },
      { user: curator, role: "curator" },
      { user: annotator, role: "annotator" },
      { user: annotator2, role: "annotator" },
      { user: annotator3, role: "annotator" },
    ],
  });
  const labelId = (name: string) => {
    const l = project.labels.find((x) => x.name === name);
    if (!l) throw new Error(`no label ${name}`);
    return l.id;
  };
  const docs: World["docs"] = [];
  for (const [i, d] of fixture.documents.entries()) {
    const doc = await addDocument(store, project.id, d.text, {
      name: d.name,
      assignTo: [annotator, annotator2, annotator3],
    });
    const spans: SpanSeed[] = d.spans.map((s, j) => {
      const start = d.text.indexOf(s.quote);
      return {
        id: `g${i}-${j}`,
        start,
        end: start + s.quote.length,
        label: s.label,
        note: "note" in s ? (s.note as string) : null,
        author: curator.id,
      };
    });
    const relations = d.relations as Array<[number, number, string]>;
    await addLayer(
      store,
      project.id,
      doc.id,
      "gold",
      spans,
      labelId,
      relations.map(([a, b, type], k) => ({ id: `gr${i}-${k}`, from: spans[a]!.id, to: spans[b]!.id, type })),
    );
    docs.push({ id: doc.id, name: d.name, text: d.text, spans, relations });
  }
  return { project, manager, curator, annotator, annotator2, annotator3, outsider, docs, labelId };
}

type Status = "todo" | "in_progress" | "done";

function* curationRow(store: Store, documentId: number, status: Status): Gen<void> {
  const { curations } = store.t;
  yield* run(
    store.q
      .insert(curations)
      .values({ documentId, status })
      .onConflictDoUpdate({ target: curations.documentId, set: { status } }),
  );
}

function* assignmentRow(store: Store, documentId: number, userId: number, status: Status): Gen<void> {
  const { assignments } = store.t;
  yield* run(
    store.q
      .update(assignments)
      .set({ status })
      .where(and(eq(assignments.documentId, documentId), eq(assignments.userId, userId))),
  );
}

/** Sets a document's curation status. */
export const markCuration = (store: Store, documentId: number, status: Status): Promise<void> =>
  call(store, curationRow, documentId, status);

/** Sets an annotator's assignment status. */
export const markAssignment = (
  store: Store,
  documentId: number,
  userId: number,
  status: Status,
): Promise<void> => call(store, assignmentRow, documentId, userId, status);
