/**
 * Keyboard and pointer input in the text: keys resolved by keyboard.ts, clicks that select the span under the
 * pointer (repeated clicks cycle through stacked spans), each handled as one batch (one DOM update).
 */
import { Plugin } from "@tiptap/pm/state";
import type { EditorView } from "@tiptap/pm/view";
import type { EditorActions } from "./actions";
import { type KeyAction, resolveKey, resolveSuggestionKey, type SuggestionKeyAction } from "./keyboard";
import type { EditorSession, SessionHooks } from "./session";
import { posToOffset } from "./textLayout";

const NAV_KEYS = /^(Arrow|Home|End|Page)/;

/** Hands keys and clicks to the input handlers; notes Alt on pointer selections (exact labelling). */
export function inputPlugin(s: EditorSession, hooks: SessionHooks): Plugin {
  return new Plugin({
    props: {
      handleKeyDown: (_view, event) => hooks.keydown(event),
      handleClick: (view, _pos, event) => hooks.click(view, event),
      handleDOMEvents: {
        mousedown: (_view, event) => {
          s.selectedAtPointerDown = s.store.get().selectedId;
          s.exactPointer = event.altKey;
          return false;
        },
        mouseup: (_view, event) => {
          s.exactPointer = event.altKey;
          return false;
        },
      },
    },
  });
}

export class EditorInput {
  constructor(
    private readonly s: EditorSession,
    private readonly a: EditorActions,
  ) {}

  /** The ProseMirror keydown hook. */
  keydown(event: KeyboardEvent): boolean {
    if (this.s.view.composing) return false;
    if (NAV_KEYS.test(event.key)) this.s.exactPointer = false;
    const ui = this.s.store.get();
    const ghost = resolveSuggestionKey(event, ui.suggestionKey !== null);
    if (ghost) return this.s.batch(() => this.performSuggestion(ghost));
    const action = resolveKey(event, {
      hotkeys: this.s.hotkeys,
      spanSelected: ui.selectedId !== null,
      choosingRelationType: ui.relationTargetId ? this.s.props().relationTypes.length : 0,
    });
    return action ? this.s.batch(() => this.perform(action)) : false;
  }

  private performSuggestion(a: SuggestionKeyAction): boolean {
    const g = this.s.ghosts;
    if (a === "next" || a === "previous") {
      return g.step(a === "next" ? 1 : -1, posToOffset(this.s.layout, this.s.view.state.selection.head));
    }
    const selected = g.selected;
    if (a === "deselect" || !selected) {
      g.select(null);
      return true;
    }
    if (this.s.props().readOnly) {
      this.s.say("This layer is read-only.");
      return true;
    }
    g.select(null);
    this.s.props().onSuggestion?.(a, selected);
    this.s.say(`${a === "accept" ? "Accepted" : "Rejected"} the suggestion ${selected.labelName}.`);
    return true;
  }

  private perform(a: KeyAction): boolean {
    const ui = this.s.store.get();
    switch (a.type) {
      case "label":
        this.a.applyLabel(a.labelId, a.exact);
        return true;
      case "relationType":
        this.a.chooseRelationType(a.index);
        return true;
      case "undo":
        this.a.undo();
        return true;
      case "redo":
        this.a.redo();
        return true;
      case "delete":
        this.a.deleteSelected();
        return true;
      case "nextSpan":
        return this.a.nextSpan(a.dir);
      case "moveEdge":
        this.a.moveEdge(a.edge, a.dir);
        return true;
      case "startRelation":
        this.a.startRelation();
        return true;
      case "enter":
        if (ui.relationSourceId && ui.selectedId && ui.selectedId !== ui.relationSourceId) {
          this.a.chooseTarget(ui.selectedId);
        } else if (ui.selectedId) this.s.store.bump("noteRequest");
        return true;
      case "escape":
        return this.a.escape();
      case "help":
        this.a.toggleHelp();
        return true;
      case "swallow":
        return true;
    }
  }

  /** The ProseMirror click hook: selects the span under the pointer (repeated clicks cycle through stacked ones). */
  click(view: EditorView, event: MouseEvent): boolean {
    return this.s.batch(() => this.clickInner(view, event));
  }

  private clickInner(view: EditorView, event: MouseEvent): boolean {
    if (!view.state.selection.empty) return false;
    const ids = spanIdsAt(event.target);
    if (ids.length === 0) {
      // a click on a ghost span (and on no real one) selects that suggestion (issue 14)
      const ghost = event.target instanceof Element ? event.target.closest("[data-suggestion]") : null;
      const key = ghost?.getAttribute("data-suggestion");
      if (!key) return false;
      this.s.ghosts.select(key);
      return true;
    }
    const spans = ids.map((id) => this.s.span(id)).filter((s) => s !== null);
    spans.sort((a, b) => a.end - a.start - (b.end - b.start));
    const prev = spans.findIndex((s) => s.id === this.s.selectedAtPointerDown);
    const pick = spans[(prev + 1) % spans.length];
    if (!pick) return false;
    const ui = this.s.store.get();
    if (ui.relationSourceId && !ui.relationTargetId && pick.id !== ui.relationSourceId) {
      this.a.chooseTarget(pick.id);
      return true;
    }
    this.s.select(pick.id);
    this.s.say(
      `Selected ${this.a.describe(pick.id)}${spans.length > 1 ? ` (${spans.length} spans here; click again for the next)` : ""}.`,
    );
    return true;
  }
}

/** Ids of the drawn spans around a DOM node: the wrappers and start markers it sits in. */
export function spanIdsAt(target: EventTarget | null): string[] {
  const out: string[] = [];
  let el = target instanceof Element ? target : target instanceof Node ? target.parentElement : null;
  while (el && !el.classList.contains("ProseMirror")) {
    const id = el.getAttribute("data-span-id") ?? el.getAttribute("data-start-for");
    if (id && !out.includes(id)) out.push(id);
    el = el.parentElement;
  }
  return out;
}
