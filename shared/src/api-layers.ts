/** The REST contract of the layer routes (`/documents/:id/layers…`). */
import { z } from "zod";
import type { LayerPermission } from "./permissions";
import type { LayerName } from "./rooms";

/** PUT /documents/:id/layers/:layer/state: an annotator marks their layer in progress or done. */
export const LayerStateBody = z.object({ status: z.enum(["in_progress", "done"]) });
export type LayerStateBody = z.infer<typeof LayerStateBody>;

/** One entry of GET /documents/:id/layers (only the layers the caller may read). */
export interface LayerSummaryDto {
  layer: LayerName;
  permission: Exclude<LayerPermission, "none">;
  /** Spans in the layer (from the projection, flushed first). */
  spans: number;
  status: "in_progress" | "done" | null;
  /** The owner of a `user-<id>` layer. */
  user: { id: number; username: string; displayName: string } | null;
}
