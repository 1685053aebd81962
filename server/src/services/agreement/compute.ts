/** One agreement report as a response body: computed and serialized where it runs (worker or main thread). */
import { type AgreementQuery, skippedReasons } from "@gloss/shared";
import type { Db } from "../../db/client";
import { projectAgreement } from "../agreement";
import type { AgreementOutcome } from "./protocol";

/** The report of `projectId` for `query`, serialized to UTF-8 JSON, with what it skipped. */
export function computeAgreement(
  db: Db,
  projectId: number,
  query: Partial<AgreementQuery>,
): AgreementOutcome {
  const report = projectAgreement(db, projectId, query);
  const skipped = report.skippedRows;
  return {
    // TextEncoder, not Buffer.from: a small Buffer lives in a shared pool, which must never be transferred
    json: new TextEncoder().encode(JSON.stringify(report)),
    skipped: {
      total: skipped.total,
      reasons: skipped.total > 0 ? skippedReasons(skipped) : "",
      rooms: skipped.rooms.join(", "),
    },
  };
}
