/** The editor's public types (the page around it builds these). */
import type { LabelDto } from "@gloss/shared";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import type { EditorSuggestion } from "./suggestions";

export interface EditorUser {
  id: number;
  name: string;
  color: string;
}

export interface AnnotationEditorProps {
  /** The immutable document text. */
  text: string;
  /** The layer's Y.Doc (spans/relations/state maps per shared/src/layer.ts). */
  doc: Y.Doc;
  /** The project's labels, ordered; hotkeys from label.hotkey. */
  labels: LabelDto[];
  /** Relation types the project allows, e.g. ["attributes"]. */
  relationTypes: string[];
  snapping: "word" | "character";
  /** Author of new spans. */
  userId: number;
  /** No edits (e.g. a curator viewing an annotator's layer); selection, hover cards and Tab still work. */
  readOnly?: boolean;
  /** Shared mode: each span shows its author. */
  showAuthors?: boolean;
  /** For author names and colours. */
  users?: ReadonlyMap<number, EditorUser>;
  /** The provider's awareness: the editor publishes its selection and draws others' faintly. */
  awareness?: Awareness | null;
  /** Only draw these labels (sidebar filter); null = all. */
  labelFilter?: ReadonlySet<number> | null;
  onSelectSpan?(spanId: string | null): void;
  /** Suggestions to draw as ghost spans (issue 14); keep the array stable between renders. */
  suggestions?: readonly EditorSuggestion[];
  /** A suggestion was accepted (Enter) or rejected (Delete, Backspace or X) with the keyboard. */
  onSuggestion?(action: "accept" | "reject", suggestion: EditorSuggestion): void;
  /** The selected suggestion changed (null: none). */
  onSelectSuggestion?(key: string | null): void;
  /** First paint done (for the benchmark and tests). */
  onReady?(): void;
}

export interface EditorHandle {
  scrollToSpan(id: string): void;
  selectSpan(id: string | null): void;
  /** Selects a suggestion by key (null: none). */
  selectSuggestion(key: string | null): void;
  focus(): void;
  undo(): void;
  redo(): void;
  /** Selects text offsets [start, end) as a text selection (for tests, the benchmark and "find"). */
  selectText(start: number, end: number): void;
}
