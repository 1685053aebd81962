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
import { AgreementQuery, skippedReasons } from "@gloss/shared";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { projectAgreement } from "../../services/agreement";

/** A path id: digits only, else -1 (which the access check reports as 404). */
const idParam = (v: string | undefined) => (v && /^[1-9][0-9]{0,15}$/.test(v) ? Number(v) : -1);

/** The agreement routes, mounted by createApp. */
export function agreementRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/projects/:id/agreement", (c) => {
    const access = projectAccess(deps.db, c.get("user"), idParam(c.req.param("id")));
    requireRole(access, "manager", "curator");
    const query = AgreementQuery.parse(c.req.query());
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
    return c.json(report);
  });

  return app;
}
