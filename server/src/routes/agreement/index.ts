/**
 * GET /projects/:id/agreement — the project's agreement report (curators, managers, admins; annotators
 * get 403, non-members 404). Query (all optional, comma separated): labels (ids or names), documents
 * (ids), annotators (user ids) or layers (e.g. user-3,gold), minIou (0 = any overlap, default).
 * The response is an AgreementReport (shared/src/agreement/report.ts; docs/agreement.md), in short:
 * { projectId, options, annotators: [{layer, userId, username, spans, documents}], labels,
 *   overall: {documents, tokens, spans, f1Exact, f1Overlap, macroF1Exact, macroF1Overlap, cohenKappa,
 *             fleissKappa, krippendorffAlpha, unitizingAlpha},
 *   perLabel: [{id, name, spans, f1Exact, f1Overlap, unitizingAlpha}],
 *   perDocument: [{documentId, name, annotators, spans, tokens, f1Exact, f1Overlap, krippendorffAlpha,
 *                  disagreement}] (most disputed first),
 *   perPair: [{a, b, aUserId, bUserId, documents, f1Exact, f1Overlap, macroF1Exact, macroF1Overlap,
 *              cohenKappa, krippendorffAlpha, labelMismatches}],
 *   confusion: {labels, counts, top}, elapsedMs,
 *   skippedRows: {total, byReason, rooms} (stored rows left out as unsound: see docs/api.md) }
 * where every figure is { value: number | null, reason?, …the counts it stands on }.
 */

import { AgreementQuery, AgreementReportDto, ProjectParams, skippedReasons } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { projectAgreement } from "../../services/agreement";
import { createRouter, json, memberErrors } from "../openapi";

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

  app.openapi(agreementRoute, (c) => {
    const access = projectAccess(deps.db, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager", "curator");
    const query = c.req.valid("query");
    const report = projectAgreement(deps.db, access.project.id, query);
    if (report.skippedRows.total > 0) {
      // unsound stored rows are left out of every figure and counted in `skippedRows`; logged once
      deps.log.warn("agreement skipped unsound stored rows", {
        project: access.project.id,
        skipped: report.skippedRows.total,
        reasons: skippedReasons(report.skippedRows),
        rooms: report.skippedRows.rooms.join(", "),
      });
    }
    return c.json(report, 200);
  });

  return app;
}
