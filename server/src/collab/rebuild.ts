/** `gloss rebuild-projection`: recompute the projection tables from the Yjs store (the source of truth). */
import { parseRoomName, rejectedOf, relationsOf, spansOf, stateOf } from "@gloss/shared";
import type Database from "better-sqlite3";
import type pg from "pg";
import * as Y from "yjs";
import type { LayerStore, SqliteLayerStore } from "./persistence";
import { plan, writeRoom } from "./pgProjection";
import { ProjectionSql } from "./projectionSql";
import { toRejectionRow, toRelationRow, toSpanRow, toStateRow } from "./rows";

export interface RebuildCounts {
  rooms: number;
  annotations: number;
  relations: number;
  layerStates: number;
}

/**
 * Rebuilds the projection tables from the Yjs store, for every project or one, in one transaction
 * (so a reader never sees a half-rebuilt table). Rooms of deleted documents are skipped.
 */
export function rebuildProjection(
  sqlite: Database.Database,
  store: Pick<SqliteLayerStore, "readStateNow">,
  opts: { projectId?: number } = {},
): RebuildCounts {
  const sql = new ProjectionSql(sqlite);
  const roomNames = sqlite
    .prepare<[], { room: string }>(
      "SELECT room FROM yjs_snapshots UNION SELECT DISTINCT room FROM yjs_updates ORDER BY room",
    )
    .all()
    .map((r) => r.room);
  const projectOf = sqlite.prepare<[number], { projectId: number }>(
    "SELECT project_id AS projectId FROM documents WHERE id = ?",
  );
  const counts: RebuildCounts = { rooms: 0, annotations: 0, relations: 0, layerStates: 0 };
  const run = sqlite.transaction(() => {
    const scope = opts.projectId === undefined ? "" : " WHERE project_id = ?";
    const args = opts.projectId === undefined ? [] : [opts.projectId];
    for (const table of ["annotations", "annotation_relations", "layer_states", "gold_rejections"])
      sqlite.prepare(`DELETE FROM ${table}${scope}`).run(...args);
    for (const name of roomNames) {
      const parsed = parseRoomName(name);
      if (!parsed) continue;
      const projectId = projectOf.get(parsed.documentId)?.projectId;
      if (projectId === undefined || (opts.projectId !== undefined && projectId !== opts.projectId)) continue;
      const state = store.readStateNow(name);
      if (!state) continue;
      const doc = new Y.Doc({ gc: true, guid: name });
      try {
        Y.applyUpdate(doc, state);
        const key = { projectId, documentId: parsed.documentId, layer: parsed.layer };
        counts.rooms++;
        spansOf(doc).forEach((rec, id) => {
          const row = toSpanRow(id, rec);
          if (!row) return;
          sql.putSpan(key, row);
          counts.annotations++;
        });
        relationsOf(doc).forEach((rec, id) => {
          const row = toRelationRow(id, rec);
          if (!row) return;
          sql.putRelation(key, row);
          counts.relations++;
        });
        if (parsed.layer === "gold")
          rejectedOf(doc).forEach((value, k) => {
            sql.putRejection(key, toRejectionRow(k, value));
          });
        const st = toStateRow(stateOf(doc));
        if (st) {
          sql.putState(key, st);
          counts.layerStates++;
        }
      } finally {
        doc.destroy();
      }
    }
  });
  run.immediate();
  return counts;
}

/**
 * The same on PostgreSQL, in one transaction (readers see the old projection until it commits): the
 * layers are read through the layer store, the rows written by the live projector's statements.
 */
export async function rebuildProjectionPg(
  pool: pg.Pool,
  store: Pick<LayerStore, "readState">,
  opts: { projectId?: number } = {},
): Promise<RebuildCounts> {
  const counts: RebuildCounts = { rooms: 0, annotations: 0, relations: 0, layerStates: 0 };
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const rooms = await client.query<{ room: string }>(
      "SELECT room FROM yjs_snapshots UNION SELECT DISTINCT room FROM yjs_updates ORDER BY room",
    );
    const projects = await client.query<{ id: number; projectId: number }>(
      'SELECT id, project_id AS "projectId" FROM documents',
    );
    const projectOf = new Map(projects.rows.map((r) => [r.id, r.projectId]));
    const scope = opts.projectId === undefined ? "" : " WHERE project_id = $1";
    const args = opts.projectId === undefined ? [] : [opts.projectId];
    for (const table of ["annotations", "annotation_relations", "layer_states", "gold_rejections"])
      await client.query(`DELETE FROM ${table}${scope}`, args);
    for (const { room: name } of rooms.rows) {
      const parsed = parseRoomName(name);
      if (!parsed) continue;
      const projectId = projectOf.get(parsed.documentId);
      if (projectId === undefined || (opts.projectId !== undefined && projectId !== opts.projectId)) continue;
      const state = await store.readState(name);
      if (!state) continue;
      const doc = new Y.Doc({ gc: true, guid: name });
      try {
        Y.applyUpdate(doc, state);
        const room = { name, projectId, documentId: parsed.documentId, layer: parsed.layer, doc };
        const w = plan(room, {
          spans: new Set(),
          relations: new Set(),
          rejected: new Set(),
          state: false,
          full: true,
        });
        await writeRoom(client, w);
        counts.rooms++;
        counts.annotations += w.spans.length;
        counts.relations += w.relations.length;
        if (w.state) counts.layerStates++;
      } finally {
        doc.destroy();
      }
    }
    await client.query("COMMIT");
    return counts;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
