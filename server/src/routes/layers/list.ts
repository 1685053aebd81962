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
import { documentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { call, sqliteStore } from "../../db/store";
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

export function listRoutes(deps: Deps) {
  const app = createRouter();
  const store = sqliteStore(deps.db);
  app.openapi(listRoute, async (c) => {
    const access = await call(store, documentAccess, c.get("user"), c.req.valid("param").id);
    const documentId = access.document.id;
    const sqlite = deps.db.$client;
    const prefix = `doc/${documentId}/`;
    const names = new Set<string>(["shared", "gold"]);
    // Layers with stored Yjs state (a range scan on the room index: "doc/7/" ≤ room < "doc/70", as '/' < '0'),
    // the assigned annotators' layers, and layers with projected spans.
    const stored = sqlite
      .prepare<{ lo: string; hi: string; skip: number; documentId: number }, { layer: string }>(
        "SELECT substr(room, @skip) AS layer FROM yjs_snapshots WHERE room >= @lo AND room < @hi " +
          "UNION SELECT substr(room, @skip) FROM yjs_updates WHERE room >= @lo AND room < @hi " +
          "UNION SELECT 'user-' || user_id FROM assignments WHERE document_id = @documentId " +
          "UNION SELECT layer FROM annotations WHERE document_id = @documentId",
      )
      .all({ lo: prefix, hi: `doc/${documentId}0`, skip: prefix.length + 1, documentId });
    for (const r of stored) names.add(r.layer);
    if (access.role === "annotator") names.add(userLayer(access.user.id));
    const counts = new Map(
      sqlite
        .prepare<[number], { layer: string; n: number }>(
          "SELECT layer, count(*) AS n FROM annotations WHERE document_id = ? GROUP BY layer",
        )
        .all(documentId)
        .map((r) => [r.layer, r.n]),
    );
    const statuses = new Map(
      sqlite
        .prepare<[number], { layer: string; status: string }>(
          "SELECT layer, status FROM layer_states WHERE document_id = ?",
        )
        .all(documentId)
        .map((r) => [r.layer, r.status]),
    );
    const ownerIds = [...names].map(layerUserId).filter((id): id is number => id !== null);
    const owners = new Map(
      sqlite
        .prepare<[string], { id: number; username: string; displayName: string }>(
          "SELECT id, username, display_name AS displayName FROM users WHERE id IN (SELECT value FROM json_each(?))",
        )
        .all(JSON.stringify(ownerIds))
        .map((u) => [u.id, u]),
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
    return c.json({ layers }, 200);
  });
  return app;
}
