/**
 * Query of GET /api/projects/:id/agreement (and the CLI's options): comma-separated lists, as strings,
 * so a URL or a command line parses with the same schema.
 */
import { z } from "zod";
import { isLayerName } from "../rooms";

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
  })
  .transform((q) => ({
    ...q,
    labels: noneIfEmpty(q.labels),
    documents: noneIfEmpty(q.documents),
    annotators: noneIfEmpty(q.annotators),
    layers: noneIfEmpty(q.layers),
  }));
export type AgreementQuery = z.infer<typeof AgreementQuery>;
