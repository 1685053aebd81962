/** Adjudication (issue 5): the curation rules the routes call (docs/curation.md describes them). */
export { autoMerge } from "./autoMerge";
export { applyDecision } from "./decisions";
export { type DtoContext, Offsets } from "./dto";
export { changeCurationStatus, labelNames } from "./store";
export { documentCuration, projectCuration } from "./views";
