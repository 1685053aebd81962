/** The editor's UI state (what React renders around ProseMirror), as a tiny external store. */
import type { SpanRecord } from "@gloss/shared";

export interface EditorUiState {
  /** The selected span (click or Tab), null when none. */
  selectedId: string | null;
  /** The selected suggestion (a ghost span, issue 14), null when none; never set with selectedId. */
  suggestionKey: string | null;
  /** A non-empty text selection exists (the palette labels it). */
  hasTextSelection: boolean;
  /** A relation is being drawn from this span. */
  relationSourceId: string | null;
  /** The target is chosen; waiting for the relation type (several types only). */
  relationTargetId: string | null;
  helpOpen: boolean;
  /** Bumped to ask the inspector to focus the note field. */
  noteRequest: number;
  /** The latest status, read out by a polite live region. */
  message: string;
  /** A notice shown until dismissed (another person's concurrent edit replaced ours); id changes per notice. */
  notice: { id: number; text: string; spanId: string; mine: SpanRecord } | null;
  /** Bumped on every change of the spans map. */
  spansVersion: number;
  /** Bumped on every change of the relations map. */
  relationsVersion: number;
  /** Bumped when relation arcs need measuring again (an endpoint or the layout changed). */
  arcsVersion: number;
}

export const initialUiState: EditorUiState = {
  selectedId: null,
  suggestionKey: null,
  hasTextSelection: false,
  relationSourceId: null,
  relationTargetId: null,
  helpOpen: false,
  noteRequest: 0,
  message: "",
  notice: null,
  spansVersion: 0,
  relationsVersion: 0,
  arcsVersion: 0,
};

export class UiStore {
  private state: EditorUiState = initialUiState;
  private readonly listeners = new Set<() => void>();

  readonly get = (): EditorUiState => this.state;

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Merges a patch; listeners run only when something changed. */
  set(patch: Partial<EditorUiState>): void {
    let changed = false;
    for (const [k, v] of Object.entries(patch)) {
      if (this.state[k as keyof EditorUiState] !== v) changed = true;
    }
    if (!changed) return;
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  bump(key: "spansVersion" | "relationsVersion" | "arcsVersion" | "noteRequest"): void {
    this.set({ [key]: this.state[key] + 1 });
  }
}
