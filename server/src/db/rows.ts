/** Rows of the projection tables as the layer values they project (what curation and export read). */
import type { Relation, Span } from "@gloss/shared";
import type { annotationRelations, annotations } from "./schema";

/** A projected span row as a layer span (no note or provenance: alignment does not read them). */
export const spanOfRow = (r: typeof annotations.$inferSelect): Span => ({
  id: r.spanId,
  start: r.start,
  end: r.end,
  label: r.labelId,
  author: r.author,
  createdAt: r.createdAt,
});

/** A projected relation row as a layer relation. */
export const relationOfRow = (r: typeof annotationRelations.$inferSelect): Relation => ({
  id: r.relationId,
  from: r.fromSpan,
  to: r.toSpan,
  type: r.type,
  author: r.author,
  createdAt: r.createdAt,
});
