/** The annotation editor: the component, its types and the pure helpers behind it. */
export { AnnotationEditor } from "./AnnotationEditor";
export { layoutOverlaps, SpanIndex } from "./overlap";
export { snapExact, snapRange, snapToCharacters, snapToWords, stepBoundary } from "./snapping";
export { describeSuggestion, type EditorSuggestion, suggestionKey } from "./suggestions";
export {
  buildPmDoc,
  layoutText,
  offsetToPos,
  posToOffset,
  type TextLayout,
  textToPmJson,
} from "./textLayout";
export type { AnnotationEditorProps, EditorHandle, EditorUser } from "./types";
