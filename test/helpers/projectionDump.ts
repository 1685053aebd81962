/** The projection tables' rows, on either database (what the projection tests compare). */
import type { Store } from "@gloss/server/db/store";

const DUMP = {
  annotations: "SELECT * FROM annotations ORDER BY document_id, layer, span_id",
  relations: "SELECT * FROM annotation_relations ORDER BY document_id, layer, relation_id",
  states: "SELECT * FROM layer_states ORDER BY document_id, layer",
  rejections: "SELECT * FROM gold_rejections ORDER BY document_id, key",
} as const;

/** Rows of one hand-written query without parameters (on PostgreSQL through the pool: bigints as numbers). */
async function rawRows(store: Store, text: string): Promise<Array<Record<string, unknown>>> {
  if (store.dialect === "sqlite") return store.sqlite.prepare(text).all() as Array<Record<string, unknown>>;
  return (await store.pool.query(text)).rows;
}

/** Every row of the projection tables, in key order (test/helpers/projection.ts dumpProjection, on a store). */
export async function dumpProjectionOf(store: Store) {
  return {
    annotations: await rawRows(store, DUMP.annotations),
    relations: await rawRows(store, DUMP.relations),
    states: await rawRows(store, DUMP.states),
    rejections: await rawRows(store, DUMP.rejections),
  };
}
