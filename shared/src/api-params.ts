/**
 * Path and query parameters of the REST API, once: the server validates every request with them (through
 * its OpenAPI routes) and the OpenAPI document describes them. A malformed id is a 400 `invalid_input`
 * naming the parameter; a well-formed id of something the caller may not see is a 404.
 */
import { z } from "zod";
import { isLayerName, type LayerName, MAX_ID } from "./rooms";

/**
 * A positive integer id in a path: digits only, no leading zero, at most MAX_ID — so "0x1", "1e3", "1.0"
 * or " 1" are refused rather than quietly read as numbers.
 */
const id = (what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, "expected a positive integer id")
    .transform(Number)
    .pipe(z.number().int().positive().max(MAX_ID, `too large for an id (at most ${MAX_ID})`))
    .meta({ description: `The ${what}: a positive integer` });

export const ProjectId = id("project's id");
export const DocumentId = id("document's id");
export const LabelId = id("label's id");
export const UserId = id("user's id");
export const TokenId = id("token's id");

/** A span's or relation's id inside a layer (random, opaque). */
export const ElementId = z.string().min(1).max(64);

/**
 * A layer in a path: `user-<id>`, `shared` or `gold`. Anything else passes as a string the layer check
 * reports as 404 (a layer is a resource: an unknown one is not found, not malformed).
 */
export const LayerParam = z.string().min(1).max(64);
/** A well-formed layer name (responses). */
export const LayerNameSchema = z
  .string()
  .regex(/^(?:user-[1-9][0-9]{0,15}|shared|gold)$/)
  .refine(isLayerName)
  .transform((s) => s as LayerName);

export const ProjectParams = z.object({ id: ProjectId });
export const DocumentParams = z.object({ id: DocumentId });
export const LabelParams = z.object({ id: ProjectId, labelId: LabelId });
export const MemberParams = z.object({ id: ProjectId, userId: UserId });
export const TokenParams = z.object({ id: TokenId });
export const LayerParams = z.object({ id: DocumentId, layer: LayerParam });
export const SpanParams = LayerParams.extend({ spanId: ElementId });
export const RelationParams = LayerParams.extend({ relationId: ElementId });

/**
 * `?offsets=`: the unit of every offset in the request and the response — Unicode code points (default;
 * `codepoint`, `codepoints` or empty) or UTF-16 code units (`utf16`, what JavaScript strings index).
 */
export const OffsetUnitParam = z
  .enum(["codepoint", "codepoints", "utf16", ""])
  .optional()
  .transform((v): "codepoint" | "utf16" => (v === "utf16" ? "utf16" : "codepoint"));
export const OffsetsQuery = z.object({ offsets: OffsetUnitParam });
export type OffsetsQuery = z.infer<typeof OffsetsQuery>;
