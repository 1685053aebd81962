/** Adjudication: the curation rules the routes call (docs/curation.md describes them). */
export { autoMerge } from "./autoMerge";
export { applyDecision } from "./decisions";
export { type DtoContext, Offsets } from "./dto";
export { labelNames } from "./projection";
export { changeCurationStatus } from "./status";
export { projectCuration } from "./summaries";
export { documentCuration } from "./views";
