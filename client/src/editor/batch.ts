/**
 * Folds every editor change one user action causes (span decorations, selection, overlay) into a single
 * transaction: one DOM update and one DOM selection sync per action instead of one per change. Labelling a
 * selection, for instance, changes the decorations, collapses the selection and selects the new span.
 */
import type { Transaction } from "@tiptap/pm/state";
import type { EditorView } from "@tiptap/pm/view";

/** Transactions the editor makes itself (selection moves) carry this meta, to tell them from the user's. */
export const INTERNAL = "glossInternal";

export class TransactionBatch {
  private tr: Transaction | null = null;
  private readonly after: Array<() => void> = [];
  private dead = false;

  constructor(
    private readonly view: () => EditorView,
    /** Whether a batch's transaction carries anything worth dispatching. */
    private readonly changed: (tr: Transaction) => boolean,
  ) {}

  /** Runs `fn`; the changes it makes through change() are dispatched together when it returns. */
  run<T>(fn: () => T): T {
    if (this.tr || this.dead) return fn();
    const tr = this.view().state.tr.setMeta(INTERNAL, true);
    this.tr = tr;
    try {
      return fn();
    } finally {
      this.tr = null;
      // Nothing dispatches on its own during a batch, so the transaction is never stale; skip it when empty.
      if (!this.dead && this.changed(tr)) this.view().dispatch(tr);
      for (const fn of this.after.splice(0)) fn();
    }
  }

  /** Applies `edit` to the batch's transaction, or to a transaction of its own outside a batch. */
  change(edit: (tr: Transaction) => void): void {
    if (this.dead) return;
    if (this.tr) {
      edit(this.tr);
      return;
    }
    const tr = this.view().state.tr.setMeta(INTERNAL, true);
    edit(tr);
    this.view().dispatch(tr);
  }

  /** Runs `fn` once the current batch is dispatched (at once outside a batch). */
  later(fn: () => void): void {
    if (this.tr) this.after.push(fn);
    else fn();
  }

  /** After this, nothing is dispatched any more (the view is being destroyed). */
  close(): void {
    this.dead = true;
  }
}
