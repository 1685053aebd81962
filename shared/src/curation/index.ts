// Explicit exports: the internal helpers (orderings, components) stay private to the module.
export { alignLayers } from "./align";
export * from "./api";
export {
  disagreementKey,
  extentsOverlap,
  isVersionOf,
  relationKey,
  type SpanShape,
  sameExtent,
  spanKey,
  spanSignature,
} from "./keys";
export * from "./merge";
export { answers as goldAnswers } from "./order";
export * from "./siteState";
export * from "./types";
