/** One agreement report as a response body: computed and serialized where it runs (worker or main thread). */
import { type AgreementQuery, skippedReasons } from "@gloss/shared";
import type { Db } from "../../db/client";
import { callSync, type Gen, type Store } from "../../db/store";
import { agreementReport } from "../agreement";
import { type AgreementOutcome, packTexts } from "./protocol";

/** The report of `projectId` for `query`, serialized (its document table row by row), with what it skipped. */
export function* agreementOutcome(
  store: Store,
  projectId: number,
  query: Partial<AgreementQuery>,
): Gen<AgreementOutcome> {
  const { perDocument, ...rest } = yield* agreementReport(store, projectId, query);
  const skipped = rest.skippedRows;
  const rows = packTexts(perDocument.map((d) => JSON.stringify(d)));
  const names = packTexts(perDocument.map((d) => d.name));
  return {
    head: JSON.stringify(rest),
    rows: rows.bytes,
    rowEnds: rows.ends,
    ids: Float64Array.from(perDocument, (d) => d.documentId),
    names: names.bytes,
    nameEnds: names.ends,
    skipped: {
      total: skipped.total,
      reasons: skipped.total > 0 ? skippedReasons(skipped) : "",
      rooms: skipped.rooms.join(", "),
    },
  };
}

/** `agreementOutcome` on a SQLite database, synchronously. */
export function computeAgreement(
  db: Db,
  projectId: number,
  query: Partial<AgreementQuery>,
): AgreementOutcome {
  return callSync(db, agreementOutcome, projectId, query);
}
