/**
 * One open document in the editor: the Tiptap editor over the immutable text, the span decorations kept in
 * step with the layer's Y.Doc, the overlay (selected span, relation being drawn, other people's selections),
 * the undo manager and the UI store. React (AnnotationEditor.tsx) creates it in an effect and destroys it
 * in the effect's cleanup; user actions live in actions.ts.
 */
import {
  listSpans,
  type RelationRecord,
  relationsOf,
  type Span,
  type SpanRecord,
  spansOf,
} from "@gloss/shared";
import type { Editor } from "@tiptap/core";
import { TextSelection, type Transaction } from "@tiptap/pm/state";
import type { EditorView } from "@tiptap/pm/view";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import { snippet } from "./actions";
import { type AwarenessBinding, bindAwareness, clientNames } from "./awareness";
import { INTERNAL, TransactionBatch } from "./batch";
import { type ReplacedEdit, watchReplacedEdits } from "./conflicts";
import { type DecorationContext, SpanDecorations } from "./decorations";
import { inputPlugin } from "./input";
import { type LabelLook, labelLooks, unknownLabelLook } from "./labelStyle";
import { LayerWriter } from "./layerWriter";
import { emptyOverlay, type OverlayState, overlayKey, overlayPlugin, overlayState } from "./overlayPlugin";
import { type SpanDecorationStep, spanDecorationsKey, spanDecorationsPlugin } from "./spanPlugin";
import { UiStore } from "./store";
import { SuggestionGhosts, suggestionKeyPlugin, suggestionPlugin } from "./suggestions";
import { createTextEditor } from "./textEditor";
import { layoutText, offsetToPos, posToOffset, type TextLayout } from "./textLayout";
import type { AnnotationEditorProps } from "./types";
import { INITIAL_WINDOW, nextWindow, visibleBox, visibleLines } from "./viewport";

/** The props the span decorations depend on. */
export type Appearance = Pick<AnnotationEditorProps, "labels" | "showAuthors" | "users" | "labelFilter">;

export interface SessionHooks {
  keydown(event: KeyboardEvent): boolean;
  click(view: EditorView, event: MouseEvent): boolean;
}

export class EditorSession {
  readonly layout: TextLayout;
  readonly store = new UiStore();
  readonly writer: LayerWriter;
  readonly editor: Editor;
  looks: Map<number, LabelLook>;
  hotkeys = new Map<string, number>();
  decorations: SpanDecorations;
  /** The suggestions drawn as ghost spans (issue 14). */
  readonly ghosts: SuggestionGhosts;
  /** Alt was held when the mouse selection was made: label it exactly. */
  exactPointer = false;
  /** The span selected when the mouse went down (for cycling through stacked spans with repeated clicks). */
  selectedAtPointerDown: string | null = null;
  private overlay: OverlayState = emptyOverlay;
  private endpoints = new Set<string>();
  private awareness: AwarenessBinding | null = null;
  /** Names of the Yjs clients seen in awareness (kept after they leave: their edits may arrive later). */
  private readonly names = new Map<number, string>();
  private readonly cleanups: Array<() => void> = [];
  private appearanceKey: unknown[] = [];
  private destroyed = false;
  private readonly batching = new TransactionBatch(
    () => this.view,
    (tr) =>
      tr.selectionSet ||
      !!tr.getMeta(spanDecorationsKey) ||
      !!tr.getMeta(overlayKey) ||
      !!tr.getMeta(suggestionKeyPlugin),
  );

  constructor(
    element: HTMLElement,
    readonly text: string,
    readonly doc: Y.Doc,
    readonly props: () => AnnotationEditorProps,
    hooks: SessionHooks,
    /** The element that scrolls the text (the decorated window follows it). */
    private readonly scroller: () => HTMLElement | null = () => null,
  ) {
    this.layout = layoutText(text);
    const p = props();
    this.looks = labelLooks(p.labels);
    this.hotkeys = hotkeyMap(p);
    this.appearanceKey = appearanceOf(p);
    this.decorations = new SpanDecorations(listSpans(doc), this.decorationContext(p), INITIAL_WINDOW);
    this.writer = new LayerWriter(doc, {
      text,
      userId: () => this.props().userId,
      labelIds: () => new Set(this.props().labels.map((l) => l.id)),
      relationTypes: () => this.props().relationTypes,
    });
    this.editor = createTextEditor({
      element,
      layout: this.layout,
      plugins: () => [
        spanDecorationsPlugin((pmDoc) => this.decorations.build(pmDoc)),
        overlayPlugin(this.layout),
        suggestionPlugin(this.layout, (label) => this.look(label).color),
        inputPlugin(this, hooks),
      ],
      onSelectionUpdate: (tr) => this.onSelectionUpdate(tr),
    });
    // a suggestion and a span are never selected at once: choosing one lets go of the other
    this.ghosts = new SuggestionGhosts(this, (key) => {
      this.store.set({ suggestionKey: key });
      if (key && this.store.get().selectedId) this.select(null);
      this.props().onSelectSuggestion?.(key);
    });
    this.observe();
  }

  get view(): EditorView {
    return this.editor.view;
  }

  /** The element that scrolls the text (null before it is mounted). */
  scrollElement(): HTMLElement | null {
    return this.scroller();
  }

  private decorationContext(p: Appearance): DecorationContext {
    return {
      layout: this.layout,
      labels: this.looks,
      showAuthors: !!p.showAuthors,
      users: p.users,
      labelFilter: p.labelFilter ?? null,
    };
  }

  private observe(): void {
    const spans = spansOf(this.doc);
    const relations = relationsOf(this.doc);
    const onSpans = (event: Y.YMapEvent<SpanRecord>) => this.onSpansChanged(event.keysChanged);
    const onRelations = () => this.onRelationsChanged();
    spans.observe(onSpans);
    relations.observe(onRelations);
    this.onRelationsChanged();
    this.cleanups.push(() => {
      spans.unobserve(onSpans);
      relations.unobserve(onRelations);
    });
    this.cleanups.push(watchReplacedEdits(this.doc, (edit) => this.onReplaced(edit)));
  }

  /** Another person's concurrent edit of a span replaced ours: say who changed what (issue 13, item 8). */
  private onReplaced({ spanId, mine, theirs, byClient }: ReplacedEdit): void {
    if (this.destroyed) return;
    const who = this.names.get(byClient) ?? "Someone else";
    const quote = (r: { start: number; end: number }) => `“${snippet(this.text, r.start, r.end)}”`;
    const changes: string[] = [];
    if (theirs.label !== mine.label) {
      changes.push(
        `it is ${this.look(theirs.label).name} now, not ${this.look(mine.label).name} as you set it`,
      );
    }
    if (theirs.start !== mine.start || theirs.end !== mine.end) {
      changes.push(`it covers ${quote(theirs)}, not ${quote(mine)}`);
    }
    if ((theirs.note ?? "") !== (mine.note ?? "")) {
      changes.push(theirs.note ? `their note “${theirs.note}” replaced yours` : "your note was dropped");
    }
    const text = `${who} changed the span ${quote(theirs)} at the same time as you, and their edit was kept: ${changes.join("; ")}.`;
    const id = (this.store.get().notice?.id ?? 0) + 1;
    this.store.set({ notice: { id, text, spanId, mine } });
    this.say(text);
  }

  /** Only the changed spans (and those whose lane they moved) get new decorations. */
  private onSpansChanged(keys: Set<string>): void {
    if (this.destroyed) return;
    const spans = spansOf(this.doc);
    const change = this.decorations.update([...keys].map((k) => [k, spans.get(k) ?? null] as const));
    if (change.add.length > 0 || change.remove.length > 0) this.decorate(change);
    const ui = this.store.get();
    if (ui.relationSourceId && keys.has(ui.relationSourceId) && !spans.has(ui.relationSourceId)) {
      this.store.set({ relationSourceId: null, relationTargetId: null });
    }
    if (ui.selectedId && keys.has(ui.selectedId)) {
      if (spans.has(ui.selectedId)) this.refreshOverlay();
      else this.select(null);
    }
    this.store.bump("spansVersion");
    for (const k of keys) {
      if (this.endpoints.has(k)) {
        this.store.bump("arcsVersion");
        break;
      }
    }
  }

  private onRelationsChanged(): void {
    this.endpoints.clear();
    relationsOf(this.doc).forEach((r: RelationRecord) => {
      this.endpoints.add(r.from);
      this.endpoints.add(r.to);
    });
    if (this.store.get().selectedId) this.refreshOverlay();
    this.store.bump("relationsVersion");
    this.store.bump("arcsVersion");
  }

  private onSelectionUpdate(tr: Transaction): void {
    const empty = this.view.state.selection.empty;
    this.store.set({ hasTextSelection: !empty });
    if (!tr.getMeta(INTERNAL) && this.store.get().selectedId) this.select(null);
    if (!tr.getMeta(INTERNAL) && this.store.get().suggestionKey) this.ghosts.select(null);
    this.publishSelection();
  }

  /** The spans map entry as a Span, or null. */
  span(id: string | null): Span | null {
    if (!id) return null;
    const rec = spansOf(this.doc).get(id);
    return rec ? { ...rec, id } : null;
  }

  look(labelId: number): LabelLook {
    return this.looks.get(labelId) ?? unknownLabelLook(labelId);
  }

  /** Selects a span (null: none), optionally moving the caret to its start and scrolling to it. */
  select(id: string | null, opts: { caret?: boolean; scroll?: boolean } = {}): void {
    const span = this.span(id);
    if (span && this.store.get().suggestionKey) this.ghosts.select(null);
    this.store.set({ selectedId: span?.id ?? null });
    if (span && (opts.caret || opts.scroll)) {
      const pos = offsetToPos(this.layout, span.start, 1);
      this.change((tr) => {
        tr.setSelection(TextSelection.create(tr.doc, pos));
        if (opts.scroll) tr.scrollIntoView();
      });
      this.later(() => this.ensureDecorated(span.start, span.end));
    }
    this.refreshOverlay();
    this.publishSelection();
    this.props().onSelectSpan?.(span?.id ?? null);
  }

  /** Redraws the overlay from the UI state and the spans it refers to. */
  refreshOverlay(remote = this.overlay.remote): void {
    const ui = this.store.get();
    const overlay = overlayState(
      this.doc,
      ui.selectedId,
      ui.relationSourceId,
      (l) => this.look(l).color,
      remote,
    );
    this.overlay = overlay;
    this.change((tr) => tr.setMeta(overlayKey, overlay));
  }

  /** The current text selection in text offsets, or the selected span's range. */
  selectionRange(): { start: number; end: number } | null {
    const { from, to, empty } = this.view.state.selection;
    if (!empty) return { start: posToOffset(this.layout, from), end: posToOffset(this.layout, to) };
    const s = this.span(this.store.get().selectedId);
    return s ? { start: s.start, end: s.end } : null;
  }

  private publishSelection(): void {
    this.later(() => this.awareness?.publish(this.selectionRange()));
  }

  /** Binds (or unbinds, with null) the provider's awareness. */
  setAwareness(awareness: Awareness | null): void {
    this.awareness?.destroy();
    this.awareness = null;
    if (!awareness) return;
    this.awareness = bindAwareness(awareness, this.text.length, (remote) => {
      if (this.destroyed) return;
      for (const [client, name] of clientNames(awareness)) this.names.set(client, name);
      this.refreshOverlay(remote);
    });
    this.publishSelection();
  }

  /** Applies changed labels, authors or label filter: a full rebuild, which only these (rare) changes cause. */
  setAppearance(p: Appearance): void {
    this.hotkeys = hotkeyMap(p);
    const key = appearanceOf(p);
    if (key.every((v, i) => v === this.appearanceKey[i])) return;
    this.appearanceKey = key;
    this.looks = labelLooks(p.labels);
    this.decorations = new SpanDecorations(
      listSpans(this.doc),
      this.decorationContext(p),
      this.decorations.textWindow,
    );
    const reset = this.decorations.build(this.view.state.doc);
    this.decorate({ reset });
    this.refreshOverlay();
    this.store.bump("arcsVersion");
  }

  /**
   * Moves the decorated window to follow what `scroller` shows (called on scroll, once per frame; see
   * viewport.ts for when it actually moves).
   */
  updateViewport(scroller: HTMLElement | null = this.scroller()): void {
    if (this.destroyed || !scroller) return;
    const lines = visibleLines(this.view.dom, visibleBox(scroller), this.layout);
    const next = lines && nextWindow(this.layout, lines, this.decorations.textWindow);
    if (!next) return;
    const change = this.decorations.setWindow(next);
    // Arcs are drawn between decorated tags: re-measure only when a relation's endpoint came or went.
    const touched = (d: { spec: { spanId?: string } }) => this.endpoints.has(d.spec.spanId ?? "");
    const arcs = change.add.some(touched) || change.remove.some(touched);
    this.decorate(change);
    if (arcs) this.store.bump("arcsVersion");
  }

  /** Runs `fn` with every editor change it causes dispatched as one transaction (see batch.ts). */
  batch<T>(fn: () => T): T {
    return this.batching.run(fn);
  }

  /** Applies `edit` to the current batch's transaction, or dispatches it on its own. */
  change(edit: (tr: Transaction) => void): void {
    if (!this.destroyed) this.batching.change(edit);
  }

  private later(fn: () => void): void {
    this.batching.later(fn);
  }

  private decorate(step: SpanDecorationStep): void {
    this.change((tr) => {
      const steps = (tr.getMeta(spanDecorationsKey) as SpanDecorationStep[] | undefined) ?? [];
      tr.setMeta(spanDecorationsKey, [...steps, step]);
    });
  }

  /** Announces a status message (polite live region). */
  say(message: string): void {
    this.store.set({ message });
  }

  /** Makes sure text [start, end) is decorated (after a programmatic scroll, before the scroll event). */
  ensureDecorated(start: number, end: number): void {
    const w = this.decorations.textWindow;
    if (start < w.from || end > w.to) this.updateViewport();
  }

  destroy(): void {
    this.destroyed = true;
    this.batching.close();
    this.awareness?.destroy();
    this.awareness = null;
    for (const fn of this.cleanups.splice(0)) fn();
    this.writer.destroy();
    this.editor.destroy();
  }
}

function hotkeyMap(p: Appearance): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of p.labels) if (l.hotkey && !out.has(l.hotkey)) out.set(l.hotkey, l.id);
  return out;
}

/** What the span decorations depend on besides the spans (compared by identity). */
function appearanceOf(p: Appearance): unknown[] {
  return [p.labels, !!p.showAuthors, p.users, p.labelFilter ?? null];
}
