/**
 * Every change the editor makes to a layer, through shared/src/layer.ts, tagged with this editor's own
 * origin so that Y.UndoManager undoes and redoes this user's actions only (remote changes and other tabs
 * carry other origins and are never undone here).
 */
import {
  addRelation,
  addSpan,
  type LayerContext,
  type Relation,
  relationsOf,
  removeRelation,
  removeSpan,
  type Span,
  type SpanRecord,
  spansOf,
  updateSpan,
} from "@gloss/shared";
import * as Y from "yjs";
import { type SnapMode, snapRange, stepBoundary, type TextRange } from "./snapping";

export interface WriterOptions {
  text: string;
  userId: () => number;
  labelIds: () => ReadonlySet<number>;
  relationTypes: () => readonly string[];
}

export class LayerWriter {
  /** The origin of this editor's transactions (the only one the undo manager tracks). */
  readonly origin = { source: "gloss-editor" };
  readonly undoManager: Y.UndoManager;

  constructor(
    readonly doc: Y.Doc,
    private readonly opts: WriterOptions,
  ) {
    // captureTimeout 0: every action is its own undo step (a label applied right after another stays separate).
    this.undoManager = new Y.UndoManager([spansOf(doc), relationsOf(doc)], {
      trackedOrigins: new Set([this.origin]),
      captureTimeout: 0,
    });
  }

  private ctx(): LayerContext {
    const types = this.opts.relationTypes();
    return { text: this.opts.text, labelIds: this.opts.labelIds(), relationTypes: new Set(types) };
  }

  /** Labels text [start, end) after snapping; returns the new span, an identical existing one, or null. */
  label(start: number, end: number, labelId: number, mode: SnapMode): Span | null {
    const range = snapRange(this.opts.text, start, end, mode);
    if (!range) return null;
    const same = this.findSame(range, labelId);
    if (same) return same;
    return addSpan(
      this.doc,
      { start: range.start, end: range.end, label: labelId, author: this.opts.userId() },
      this.ctx(),
      this.origin,
    );
  }

  private findSame(range: TextRange, labelId: number): Span | null {
    let found: Span | null = null;
    spansOf(this.doc).forEach((rec, id) => {
      if (!found && rec.start === range.start && rec.end === range.end && rec.label === labelId) {
        found = { ...rec, id };
      }
    });
    return found;
  }

  relabel(id: string, labelId: number): Span | null {
    return updateSpan(this.doc, id, { label: labelId }, this.ctx(), this.origin);
  }

  /** Puts back what this user had set on a span (label, boundaries, note) over someone else's edit. */
  restore(id: string, mine: Pick<SpanRecord, "start" | "end" | "label" | "note">): Span | null {
    const { start, end, label, note } = mine;
    return updateSpan(this.doc, id, { start, end, label, note: note ?? "" }, this.ctx(), this.origin);
  }

  setNote(id: string, note: string): Span | null {
    return updateSpan(this.doc, id, { note: note.trim() }, this.ctx(), this.origin);
  }

  /** Moves a span's start or end by one word or character; null when it cannot move that way. */
  moveEdge(id: string, edge: "start" | "end", dir: -1 | 1, unit: "word" | "character"): Span | null {
    const cur = spansOf(this.doc).get(id);
    if (!cur) return null;
    const at = edge === "start" ? cur.start : cur.end;
    const next = stepBoundary(this.opts.text, at, dir, edge, unit);
    const patch = edge === "start" ? { start: next } : { end: next };
    const start = patch.start ?? cur.start;
    const end = patch.end ?? cur.end;
    if (next === at || start >= end) return null;
    return updateSpan(this.doc, id, patch, this.ctx(), this.origin);
  }

  remove(id: string): boolean {
    return removeSpan(this.doc, id, this.origin);
  }

  relate(from: string, to: string, type: string): Relation {
    return addRelation(this.doc, { from, to, type, author: this.opts.userId() }, this.ctx(), this.origin);
  }

  unrelate(id: string): boolean {
    return removeRelation(this.doc, id, this.origin);
  }

  undo(): boolean {
    return this.undoManager.undo() !== null;
  }

  redo(): boolean {
    return this.undoManager.redo() !== null;
  }

  destroy(): void {
    this.undoManager.destroy();
  }
}
