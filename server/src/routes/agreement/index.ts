/**
 * GET /projects/:id/agreement — the project's agreement report (curators, managers, admins; annotators
 * get 403, non-members 404). Query (all optional, comma separated): labels (ids or names), documents
 * (ids), annotators (user ids) or layers (e.g. user-3,gold), minIou (0 = any overlap, default).
 * The response is an AgreementReport (shared/src/agreement/report.ts; docs/agreement.md), in short:
 * { projectId, options, annotators: [{layer, userId, username, spans, documents}], labels,
 *   overall: {documents, tokens, spans, f1Exact, f1Overlap, macroF1Exact, macroF1Overlap, cohenKappa,
 *             fleissKappa, krippendorffAlpha, unitizingAlpha},
 *   perLabel: [{id, name, spans, f1Exact, f1Overlap, unitizingAlpha}],
 *   total (compared documents matching `q`), perDocument: a page (`limit` 1–1000, default 100, `offset`,
 *     `q` in the name, `sort` disagreement | name | id) of [{documentId, name, annotators, spans, tokens,
 *     f1Exact, f1Overlap, krippendorffAlpha, disagreement}] (most disputed first by default),
 *   perPair: [{a, b, aUserId, bUserId, documents, f1Exact, f1Overlap, macroF1Exact, macroF1Overlap,
 *              cohenKappa, krippendorffAlpha, labelMismatches}],
 *   confusion: {labels, counts, top}, elapsedMs,
 *   skippedRows: {total, byReason, rooms} (stored rows left out as unsound: see docs/api.md) }
 * where every figure is { value: number | null, reason?, …the counts it stands on }.
 *
 * Computed in a worker thread and cached per (project, query) until the project's data changes
 * (services/agreement/service.ts), so a cold report never stalls the live editors on this server.
 */

import { AgreementQuery, AgreementReportDto, ProjectParams } from "@gloss/shared";
import { createRoute, type z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { agreementService, reportPage } from "../../services/agreement/service";
import { createRouter, json, memberErrors } from "../openapi";

/** A 200 whose body is a report serialized by the worker: typed as the route's JSON (it is that JSON). */
const serializedReport = (body: string) =>
  new Response(body, {
    status: 200,
    headers: { "Content-Type": "application/json" },
  }) as unknown as TypedResponse<z.output<typeof AgreementReportDto>, 200, "json">;

const agreementRoute = createRoute({
  method: "get",
  path: "/projects/{id}/agreement",
  operationId: "getAgreement",
  tags: ["agreement"],
  summary: "The project's inter-annotator agreement report (managers, curators)",
  description: "Filters are comma-separated lists; see docs/agreement.md for every figure.",
  request: { params: ProjectParams, query: AgreementQuery },
  responses: { 200: json(AgreementReportDto, "The report"), ...memberErrors },
});

/** The agreement routes, mounted by createApp. */
export function agreementRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(agreementRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager", "curator");
    const query = c.req.valid("query");
    const { outcome, cached } = await agreementService(deps.store, deps.log).report(access.project.id, query);
    const { skipped } = outcome;
    if (skipped.total > 0 && !cached) {
      // unsound stored rows are left out of every figure and counted in `skippedRows`; logged once per computation
      deps.log.warn("agreement skipped unsound stored rows", {
        project: access.project.id,
        skipped: skipped.total,
        reasons: skipped.reasons,
        rooms: skipped.rooms,
      });
    }
    // already serialized in the worker: the body is the report's JSON with the asked page of its documents
    return serializedReport(reportPage(outcome, query));
  });

  return app;
}
