/**
 * Query of GET /api/projects/:id/agreement (and the CLI's options): comma-separated lists, as strings,
 * so a URL or a command line parses with the same schema.
 */
import { z } from "zod";
import { MAX_PAGE } from "../api-pages";
import { isLayerName } from "../rooms";

/** How the report's document table is ordered: most disputed first (the default), by name, by id. */
export const AGREEMENT_DOCUMENT_SORTS = ["disagreement", "name", "id"] as const;

const list = z
  .string()
  .max(200_000)
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
const ids = list.pipe(
  z.array(
    z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/, "not an id")
      .transform(Number),
  ),
);

/** An empty list (`labels=`) means no filter, not "nothing". */
const noneIfEmpty = <T>(xs: T[] | undefined) => (xs?.length ? xs : undefined);

export const AgreementQuery = z
  .object({
    /** Label ids or names. */
    labels: list.optional(),
    /** Document ids. */
    documents: ids.optional(),
    /** User ids: compares their `user-<id>` layers. */
    annotators: ids.optional(),
    /** Explicit layers, e.g. `user-3,gold` (an annotator against gold). Not together with `annotators`. */
    layers: list
      .pipe(z.array(z.string().refine(isLayerName, "not a layer name (user-<id>, shared or gold)")))
      .optional(),
    /** Minimum IoU for an overlap match: 0 (default) = any overlap. */
    minIou: z.coerce.number().min(0).max(1).optional(),
    // The document table (`perDocument`) is paged: the other figures are always the whole report's.
    /** Rows of the document table (1–1000, default 100). */
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
    /** The first row of the document table shown. */
    offset: z.coerce.number().int().min(0).default(0),
    /** Only documents whose name contains this (case-insensitive) in the document table. */
    q: z.string().max(500).optional(),
    /** The document table's order. */
    sort: z.enum(AGREEMENT_DOCUMENT_SORTS).default("disagreement"),
  })
  .transform((q) => ({
    ...q,
    labels: noneIfEmpty(q.labels),
    documents: noneIfEmpty(q.documents),
    annotators: noneIfEmpty(q.annotators),
    layers: noneIfEmpty(q.layers),
  }));
export type AgreementQuery = z.infer<typeof AgreementQuery>;
