/** The REST contract of the layer routes (`/documents/:id/layers…`). */
import { z } from "zod";
import { RelationDto, SpanDto } from "./api";
import { LayerNameSchema } from "./api-params";

/** PUT /documents/:id/layers/:layer/state: an annotator marks their layer in progress or done. */
const LayerStatus = z.enum(["in_progress", "done"]);
export const LayerStateBody = z.object({ status: LayerStatus });
export type LayerStateBody = z.infer<typeof LayerStateBody>;

/** One entry of GET /documents/:id/layers (only the layers the caller may read). */
export const LayerSummaryDto = z
  .object({
    layer: LayerNameSchema,
    permission: z.enum(["write", "read"]),
    /** Spans in the layer (from the projection, flushed first). */
    spans: z.number().int(),
    status: LayerStatus.nullable(),
    /** The owner of a `user-<id>` layer. */
    user: z.object({ id: z.number().int(), username: z.string(), displayName: z.string() }).nullable(),
  })
  .meta({ id: "LayerSummary" });
export type LayerSummaryDto = z.infer<typeof LayerSummaryDto>;

export const LayerListDto = z.object({ layers: z.array(LayerSummaryDto) }).meta({ id: "LayerList" });

/** GET and PUT /documents/:id/layers/:layer/state. */
export const LayerStateDto = z
  .object({
    layer: LayerNameSchema,
    status: LayerStatus.nullable(),
    /** Who set the status last (user id). */
    setBy: z.number().int().nullable(),
    updatedAt: z.number().nullable(),
  })
  .meta({ id: "LayerState" });
export type LayerStateDto = z.infer<typeof LayerStateDto>;

export const SpanListDto = z.object({ spans: z.array(SpanDto) }).meta({ id: "SpanList" });
export const RelationListDto = z.object({ relations: z.array(RelationDto) }).meta({ id: "RelationList" });
