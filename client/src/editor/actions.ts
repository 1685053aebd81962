/**
 * What the user can do in the editor — label, relabel, move a boundary, note, delete, relate, undo — each
 * reachable from the keyboard (keyboard.ts), the mouse and the palette/inspector buttons. Failures are
 * announced in the live region, never thrown at the user.
 */
import { LayerValidationError, listRelations } from "@gloss/shared";
import { TextSelection } from "@tiptap/pm/state";
import type { EditorView } from "@tiptap/pm/view";
import type { EditorSession } from "./session";
import { offsetToPos, posToOffset } from "./textLayout";

/** A short quote of a span's text for messages. */
export function snippet(text: string, start: number, end: number, max = 40): string {
  const t = text.slice(start, end).replace(/\s+/g, " ").trim();
  const chars = [...t];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : t;
}

export class EditorActions {
  constructor(private readonly s: EditorSession) {}

  private get readOnly(): boolean {
    return !!this.s.props().readOnly;
  }

  private guard<T>(fn: () => T): T | null {
    if (this.readOnly) {
      this.s.say("This layer is read-only.");
      return null;
    }
    try {
      return fn();
    } catch (err) {
      if (err instanceof LayerValidationError) {
        this.s.say(`Not applied: ${err.message}.`);
        return null;
      }
      throw err;
    }
  }

  /** "claim “the quoted text”", for messages. */
  describe(id: string): string {
    const span = this.s.span(id);
    if (!span) return "span";
    return `${this.s.look(span.label).name} “${snippet(this.s.text, span.start, span.end)}”`;
  }

  /** Palette button or hotkey: labels the text selection, or relabels the selected span. */
  applyLabel(labelId: number, exact = false): void {
    this.s.batch(() => {
      const view = this.s.view;
      syncSelectionFromDom(view);
      const sel = view.state.selection;
      const selectedId = this.s.store.get().selectedId;
      if (!sel.empty) return this.labelSelection(labelId, exact);
      if (selectedId) {
        const done = this.guard(() => this.s.writer.relabel(selectedId, labelId));
        if (done) this.s.say(`Changed to ${this.describe(selectedId)}.`);
        return;
      }
      this.s.say("Select some text (or a span) first.");
    });
  }

  private labelSelection(labelId: number, exact: boolean): void {
    const view = this.s.view;
    const { from, to } = view.state.selection;
    const start = posToOffset(this.s.layout, from);
    const end = posToOffset(this.s.layout, to);
    const mode = exact || this.s.exactPointer ? "exact" : this.s.props().snapping;
    this.s.ensureDecorated(start, end);
    const span = this.guard(() => this.s.writer.label(start, end, labelId, mode));
    if (this.readOnly) return;
    if (!span) {
      this.s.say("Nothing to label: the selection holds only spaces.");
      return;
    }
    this.s.change((tr) => tr.setSelection(TextSelection.create(tr.doc, to)));
    this.s.select(span.id);
    this.s.say(`Labelled ${this.describe(span.id)}.`);
  }

  /** Tab / Shift+Tab: the next or previous span in reading order; false when there is none (focus moves on). */
  nextSpan(dir: 1 | -1): boolean {
    const ui = this.s.store.get();
    const caret = posToOffset(this.s.layout, this.s.view.state.selection.head);
    const next = this.s.decorations.index.next(ui.selectedId, caret, dir);
    if (!next) return false;
    this.s.select(next.id, { caret: true, scroll: true });
    const all = this.s.decorations.index.all();
    const n = all.indexOf(next) + 1;
    const note = next.note ? `, note: ${next.note}` : "";
    this.s.say(`${this.describe(next.id)}${note} (${n} of ${all.length}).`);
    return true;
  }

  moveEdge(edge: "start" | "end", dir: 1 | -1): void {
    this.s.batch(() => {
      const id = this.s.store.get().selectedId;
      if (!id) return;
      const unit = this.s.props().snapping === "character" ? "character" : "word";
      const done = this.guard(() => this.s.writer.moveEdge(id, edge, dir, unit));
      if (done) this.s.say(`Now ${this.describe(id)}.`);
    });
  }

  deleteSelected(): void {
    this.s.batch(() => {
      const id = this.s.store.get().selectedId;
      if (!id) return;
      const what = this.describe(id);
      const done = this.guard(() => this.s.writer.remove(id));
      if (done) this.s.say(`Deleted ${what}.`);
    });
  }

  setNote(id: string, note: string): void {
    this.s.batch(() => {
      const done = this.guard(() => this.s.writer.setNote(id, note));
      if (done) this.s.say(note.trim() ? "Note saved." : "Note removed.");
    });
  }

  /** "Keep mine" on a notice: puts this user's version of the span back (one undoable step). */
  keepMine(): void {
    this.s.batch(() => {
      const notice = this.s.store.get().notice;
      if (!notice) return;
      this.s.store.set({ notice: null });
      if (!this.s.span(notice.spanId)) return this.s.say("That span was deleted meanwhile.");
      const done = this.guard(() => this.s.writer.restore(notice.spanId, notice.mine));
      if (done) this.s.say(`Your version is back: ${this.describe(notice.spanId)}.`);
    });
  }

  startRelation(): void {
    this.s.batch(() => {
      const id = this.s.store.get().selectedId;
      if (this.readOnly) return this.s.say("This layer is read-only.");
      if (!id) return this.s.say("Select the span to link from first.");
      if (this.s.props().relationTypes.length === 0)
        return this.s.say("This project defines no relation types.");
      this.s.store.set({ relationSourceId: id, relationTargetId: null });
      this.s.refreshOverlay();
      this.s.say(
        `Linking from ${this.describe(id)}: choose the target span (click it, or Tab to it and press Enter). Escape cancels.`,
      );
    });
  }

  chooseTarget(targetId: string): void {
    this.s.batch(() => {
      const { relationSourceId: from } = this.s.store.get();
      if (!from) return;
      if (from === targetId) return this.s.say("A span cannot be linked to itself; choose another span.");
      const types = this.s.props().relationTypes;
      if (types.length === 1) return this.relate(from, targetId, types[0]!);
      this.s.store.set({ relationTargetId: targetId });
      this.s.say(`Choose the relation type: ${types.map((t, i) => `${i + 1} ${t}`).join(", ")}.`);
    });
  }

  chooseRelationType(index: number): void {
    this.s.batch(() => {
      const { relationSourceId: from, relationTargetId: to } = this.s.store.get();
      const type = this.s.props().relationTypes[index];
      if (from && to && type) this.relate(from, to, type);
    });
  }

  private relate(from: string, to: string, type: string): void {
    const exists = listRelations(this.s.doc).some((r) => r.from === from && r.to === to && r.type === type);
    const done = exists || this.guard(() => this.s.writer.relate(from, to, type));
    this.cancelRelation(false);
    if (done) this.s.say(`Linked ${this.describe(from)} ${type} ${this.describe(to)}.`);
  }

  cancelRelation(announce = true): void {
    this.s.batch(() => {
      this.s.store.set({ relationSourceId: null, relationTargetId: null });
      this.s.refreshOverlay();
      if (announce) this.s.say("Linking cancelled.");
    });
  }

  removeRelation(id: string): void {
    this.s.batch(() => {
      const done = this.guard(() => this.s.writer.unrelate(id));
      if (done) this.s.say("Link removed.");
    });
  }

  undo(): void {
    this.s.batch(() => {
      if (this.readOnly) return;
      this.s.say(this.s.writer.undo() ? "Undone." : "Nothing to undo.");
    });
  }

  redo(): void {
    this.s.batch(() => {
      if (this.readOnly) return;
      this.s.say(this.s.writer.redo() ? "Redone." : "Nothing to redo.");
    });
  }

  toggleHelp(open = !this.s.store.get().helpOpen): void {
    this.s.store.set({ helpOpen: open });
  }

  /** Escape: closes, cancels or deselects, innermost first; false when there was nothing to do. */
  escape(): boolean {
    const ui = this.s.store.get();
    if (ui.helpOpen) this.toggleHelp(false);
    else if (ui.relationSourceId) this.cancelRelation();
    else if (ui.selectedId) this.s.select(null);
    else if (!this.s.view.state.selection.empty) {
      this.s.change((tr) => tr.setSelection(TextSelection.create(tr.doc, tr.selection.head)));
    } else return false;
    return true;
  }

  /** Selects text offsets [start, end) and focuses the editor. */
  selectText(start: number, end: number): void {
    const view = this.s.view;
    const from = offsetToPos(this.s.layout, start, 1);
    const to = offsetToPos(this.s.layout, end, -1);
    view.focus();
    const selection = TextSelection.create(view.state.doc, from, Math.max(from, to));
    view.dispatch(view.state.tr.setSelection(selection).scrollIntoView());
    this.s.ensureDecorated(start, end);
  }

  /** Scrolls a span into the middle of the view (drawn or not). */
  scrollToSpan(id: string): void {
    const center = (): Element | null => {
      const span = this.s.span(id);
      if (!span || this.s.view.isDestroyed) return null;
      const { node } = this.s.view.domAtPos(offsetToPos(this.s.layout, span.start, 1));
      const el = node instanceof Element ? node : node.parentElement;
      el?.scrollIntoView({ block: "center", inline: "nearest" });
      return el;
    };
    if (!center()) return;
    // A long text's chunks have estimated heights until laid out: those this scroll brought near the screen
    // take their real height a frame later and may push the span out of the text pane again. Watch it for a
    // few frames and centre it again whenever it left (a short text is right the first time).
    let frames = 0;
    const settle = () => {
      const span = this.s.span(id);
      const scroller = this.s.scrollElement();
      if (!span || !scroller || this.s.view.isDestroyed) return;
      const { node } = this.s.view.domAtPos(offsetToPos(this.s.layout, span.start, 1));
      const el = node instanceof Element ? node : node.parentElement;
      if (!el) return;
      const r = el.getBoundingClientRect();
      const box = scroller.getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) center();
      if (++frames < 20) requestAnimationFrame(settle);
    };
    requestAnimationFrame(settle);
  }
}

/**
 * Makes ProseMirror read the DOM selection now. It learns of keyboard and mouse selection changes from
 * `selectionchange`, which the browser dispatches as a later task: a hotkey pressed right after Shift+→
 * (or right after a click) otherwise sees the previous selection and labels nothing. `domObserver` is
 * ProseMirror's own observer (not in its typings); `flush()` is what its own handlers call for this.
 */
function syncSelectionFromDom(view: EditorView): void {
  (view as unknown as { domObserver?: { flush(): void } }).domObserver?.flush();
}
