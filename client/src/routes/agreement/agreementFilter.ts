/**
 * The agreement page's filters and the report query they make (the server's AgreementQuery, as comma
 * lists; the endpoint itself is in api/endpoints.ts).
 */
import type { AgreementReport } from "@gloss/shared";
import type { AgreementQueryParams } from "../../api/endpoints";

/** The filters of the agreement page, as the page holds them. */
export interface AgreementFilter {
  /** Label ids; empty = every label. */
  labels: number[];
  /** Annotator user ids; empty = every annotator. */
  annotators: number[];
  /** Document ids; empty = every document. */
  documents: number[];
  /** Compare the annotators against the gold layer too. */
  withGold: boolean;
  /** Minimum IoU for an overlap match (0 = any overlap). */
  minIou: number;
}

export const NO_FILTER: AgreementFilter = {
  labels: [],
  annotators: [],
  documents: [],
  withGold: false,
  minIou: 0,
};

const list = (xs: readonly (number | string)[]) => (xs.length ? xs.join(",") : undefined);

/**
 * The query string parameters of a filter. With gold, the annotators become explicit layers
 * (`user-3,user-4,gold`): the server takes either `annotators` or `layers`, not both.
 */
export function agreementQuery(
  filter: AgreementFilter,
  allAnnotators: readonly number[],
): AgreementQueryParams {
  const annotators = filter.annotators.length ? filter.annotators : allAnnotators;
  return {
    labels: list(filter.labels),
    documents: list(filter.documents),
    annotators: filter.withGold ? undefined : list(filter.annotators),
    layers: filter.withGold ? list([...annotators.map((id) => `user-${id}`), "gold"]) : undefined,
    minIou: filter.minIou > 0 ? filter.minIou : undefined,
  };
}

/** The name a compared layer goes by on the page. */
export function layerName(
  a: AgreementReport["annotators"][number],
  names: ReadonlyMap<number, string> = new Map(),
): string {
  if (a.layer === "gold") return "Gold";
  if (a.layer === "shared") return "Shared layer";
  return (a.userId !== null ? names.get(a.userId) : undefined) ?? a.username ?? a.layer;
}
