/** Shared pieces of the projection tests: random layer edits (seed them with seededRandom), a dump of the tables. */
import type { Db } from "@gloss/server/db/client";
import {
  addRelation,
  addSpan,
  type LayerContext,
  listRelations,
  listSpans,
  rejectedOf,
  removeRelation,
  removeSpan,
  updateSpan,
} from "@gloss/shared";
import type * as Y from "yjs";
import { seedProject, seedUser } from "./seed";

/**
 * One random edit of a layer, as a client or the server makes them: add, update or remove a span, add or
 * remove a relation ("attributes"), and in gold (`gold: true`) also record or drop a rejected key. Spans stay
 * inside the first `ctx.text.length - 1` characters.
 */
export function randomEdit(
  doc: Y.Doc,
  rand: () => number,
  opts: { ctx: LayerContext; labels: number[]; author: number; note: string; gold?: boolean },
): void {
  const { ctx, labels, author } = opts;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const spans = listSpans(doc);
  const start = Math.floor(rand() * (ctx.text.length - 10));
  if (opts.gold && rand() < 0.15) {
    const rejected = rejectedOf(doc);
    const keys = [...rejected.keys()];
    if (keys.length > 0 && rand() < 0.4) rejected.delete(pick(keys));
    else
      rejected.set(`s:${start}:${start + 3}:${pick(labels)}`, { by: author, at: 1_700_000_000_000 + start });
    return;
  }
  const r = rand();
  if (r < 0.4 || spans.length < 2) {
    const end = start + 1 + Math.floor(rand() * 9);
    addSpan(
      doc,
      { start, end, label: pick(labels), author, note: rand() < 0.3 ? opts.note : undefined },
      ctx,
    );
  } else if (r < 0.6) {
    const id = pick(spans).id;
    updateSpan(
      doc,
      id,
      { start, end: start + 3, label: pick(labels), note: rand() < 0.5 ? "" : "edited" },
      ctx,
    );
  } else if (r < 0.72) {
    removeSpan(doc, pick(spans).id);
  } else if (r < 0.85) {
    const [a, b] = [pick(spans), pick(spans)];
    if (a.id !== b.id) addRelation(doc, { from: a.id, to: b.id, type: "attributes", author }, ctx);
  } else {
    const rel = listRelations(doc);
    if (rel.length) removeRelation(doc, pick(rel).id);
  }
}

/** Every row of the projection tables, in key order. */
export function dumpProjection(db: Db) {
  const all = (sql: string) => db.$client.prepare(sql).all();
  return {
    annotations: all("SELECT * FROM annotations ORDER BY document_id, layer, span_id"),
    relations: all("SELECT * FROM annotation_relations ORDER BY document_id, layer, relation_id"),
    states: all("SELECT * FROM layer_states ORDER BY document_id, layer"),
    rejections: all("SELECT * FROM gold_rejections ORDER BY document_id, key"),
  };
}

/** An annotator and a curator, members of one new project. */
export function seedAnnotatorAndCurator(db: Db) {
  const ann = seedUser(db);
  const curator = seedUser(db);
  const project = seedProject(db, {
    members: [
      { user: ann, role: "annotator" },
      { user: curator, role: "curator" },
    ],
  });
  return { ann, curator, project };
}
