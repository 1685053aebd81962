/** `GET /documents/:id/layers`: the layers of a document the caller can read, with counts and status. */

import {
  DocumentParams,
  isLayerName,
  LayerListDto,
  type LayerSummaryDto,
  layerPermission,
  layerUserId,
  userLayer,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { and, count, eq, gte, lt, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { type DocumentAccess, documentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { all, call, type Gen, inIds, type Store } from "../../db/store";
import { createRouter, json, memberErrors } from "../openapi";

const listRoute = createRoute({
  method: "get",
  path: "/documents/{id}/layers",
  operationId: "listLayers",
  tags: ["layers"],
  summary: "The layers of a document the caller may read, with span counts and status",
  request: { params: DocumentParams },
  responses: { 200: json(LayerListDto, "The layers"), ...memberErrors },
});

/**
 * `lo <= column < hi` in bytewise order on both: SQLite compares text by its bytes; PostgreSQL follows the
 * database's collation, under which '/' need not sort before '0' (a range scan of room keys relies on it),
 * unless told "C" — the room columns' own collation (migration 0004), so their indexes serve the scan.
 */
function roomsBetween(store: Store, column: SQLWrapper, lo: string, hi: string): SQL | undefined {
  if (store.dialect === "pg") return sql`${column} collate "C" >= ${lo} and ${column} collate "C" < ${hi}`;
  return and(gte(column, lo), lt(column, hi));
}

/** The layers of a document `access` may read, with their span counts, status and owners. */
export function* listLayers(store: Store, access: DocumentAccess): Gen<{ layers: LayerSummaryDto[] }> {
  const { annotations, assignments, layerStates, users, yjsSnapshots, yjsUpdates } = store.t;
  const documentId = access.document.id;
  const prefix = `doc/${documentId}/`;
  const lo = prefix;
  const hi = `doc/${documentId}0`;
  // substr counts from 1: the layer starts after the prefix (a number of ours, so inlined as a literal)
  const skip = sql.raw(String(prefix.length + 1));
  const names = new Set<string>(["shared", "gold"]);
  // Layers with stored Yjs state (a range scan on the room keys: "doc/7/" ≤ room < "doc/70", as '/' < '0'),
  // the assigned annotators' layers, and layers with projected spans.
  const stored = yield* all(
    store.q
      .select({ layer: sql<string>`substr(${yjsSnapshots.room}, ${skip})` })
      .from(yjsSnapshots)
      .where(roomsBetween(store, yjsSnapshots.room, lo, hi))
      .union(
        store.q
          .select({ layer: sql<string>`substr(${yjsUpdates.room}, ${skip})` })
          .from(yjsUpdates)
          .where(roomsBetween(store, yjsUpdates.room, lo, hi)),
      )
      .union(
        store.q
          .select({ layer: sql<string>`'user-' || ${assignments.userId}` })
          .from(assignments)
          .where(eq(assignments.documentId, documentId)),
      )
      .union(
        store.q
          .select({ layer: sql<string>`${annotations.layer}` })
          .from(annotations)
          .where(eq(annotations.documentId, documentId)),
      ),
  );
  for (const r of stored) names.add(r.layer);
  if (access.role === "annotator") names.add(userLayer(access.user.id));
  const counts = new Map(
    (yield* all(
      store.q
        .select({ layer: annotations.layer, n: count() })
        .from(annotations)
        .where(eq(annotations.documentId, documentId))
        .groupBy(annotations.layer),
    )).map((r) => [r.layer, r.n]),
  );
  const statuses = new Map(
    (yield* all(
      store.q
        .select({ layer: layerStates.layer, status: layerStates.status })
        .from(layerStates)
        .where(eq(layerStates.documentId, documentId)),
    )).map((r) => [r.layer, r.status]),
  );
  const ownerIds = [...names].map(layerUserId).filter((id): id is number => id !== null);
  const owners = new Map(
    ownerIds.length === 0
      ? []
      : (yield* all(
          store.q
            .select({ id: users.id, username: users.username, displayName: users.displayName })
            .from(users)
            .where(inIds(store, users.id, ownerIds)),
        )).map((u) => [u.id, u]),
  );
  const layers: LayerSummaryDto[] = [];
  for (const name of names) {
    if (!isLayerName(name)) continue;
    const owner = layerUserId(name);
    if (owner !== null && !owners.has(owner)) continue;
    const permission = layerPermission(access.role, access.project.mode, access.user.id, name);
    if (permission === "none") continue;
    const status = statuses.get(name);
    layers.push({
      layer: name,
      permission,
      spans: counts.get(name) ?? 0,
      status: status === "in_progress" || status === "done" ? status : null,
      user: owner === null ? null : (owners.get(owner) ?? null),
    });
  }
  const rank = (l: LayerSummaryDto) => (l.user ? 0 : l.layer === "shared" ? 1 : 2);
  layers.sort((a, b) => rank(a) - rank(b) || (a.user?.id ?? 0) - (b.user?.id ?? 0));
  return { layers };
}

export function listRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;
  app.openapi(listRoute, async (c) => {
    const access = await call(store, documentAccess, c.get("user"), c.req.valid("param").id);
    return c.json(await call(store, listLayers, access), 200);
  });
  return app;
}
