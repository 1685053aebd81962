/**
 * Decorations for spans, kept in step with the layer's spans map one change at a time.
 *
 * Each span is an inline wrapper (its own <span>, so nested and crossing spans each draw their own underline
 * in their lane) plus a start marker over its first character carrying the label's initial and, for screen
 * readers, the label's name (the name itself is written above the span unless the editor is in compact mode,
 * editor.css). SpanDecorations holds the decorations it made per span id so a change removes exactly
 * those (DecorationSet.remove) and adds the replacements (DecorationSet.add): nothing is rebuilt per change.
 *
 * Only spans inside a window of the text (what is on screen plus a margin, moved as the user scrolls) get
 * decorations: lanes are kept for every span, but the DOM holds the decorated text of a few screens, not of
 * the whole document, which is what keeps opening, selecting and scrolling a long document fast.
 */
import type { Span, SpanRecord } from "@gloss/shared";
import type { Node as PmNode } from "@tiptap/pm/model";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { initialsOf, type LabelLook, MAX_LANE, safeColor, unknownLabelLook } from "./labelStyle";
import { SpanIndex } from "./overlap";
import { clusterLength } from "./snapping";
import { offsetToPos, posToOffset, type TextLayout } from "./textLayout";
import type { EditorUser } from "./types";

export interface DecorationContext {
  layout: TextLayout;
  labels: ReadonlyMap<number, LabelLook>;
  showAuthors: boolean;
  users: ReadonlyMap<number, EditorUser> | undefined;
  /** Only these labels are drawn; null = all. */
  labelFilter: ReadonlySet<number> | null;
}

export interface DecorationChange {
  remove: Decoration[];
  add: Decoration[];
}

/**
 * The decorations that draw one span in lane `lane`: the underline wrapper over the whole span, and a start
 * marker over its first character whose ::before shows the label's initial (and ::after the author's, in
 * shared mode), with the label's name as the generated content's alternative text for screen readers.
 * Generated content is no caret stop, unlike a widget: arrows and Shift+arrows move through the text as
 * if the marks were not there, and copying never picks them up.
 */
export function spanDecorations(span: Span, lane: number, ctx: DecorationContext): Decoration[] {
  const look = ctx.labels.get(span.label) ?? unknownLabelLook(span.label);
  const from = offsetToPos(ctx.layout, span.start, 1);
  const to = offsetToPos(ctx.layout, span.end, -1);
  if (from >= to) return []; // only a line break: nothing to draw (it is still listed and selectable)
  const shown = Math.min(lane, MAX_LANE);
  const start = posToOffset(ctx.layout, from);
  const markEnd = Math.min(to, from + clusterLength(ctx.layout.text, start));
  const author = span.author !== null ? ctx.users?.get(span.author) : undefined;
  const marker: Record<string, string> = {
    nodeName: "span",
    class: `gl-start gl-lane-${shown}`,
    style: `--gl-c:${look.color}`,
    "data-start-for": span.id,
    "data-tag": look.initial,
    "data-label": look.name,
    "data-name": `${look.name}: `,
  };
  if (ctx.showAuthors && span.author !== null) {
    const name = author?.name ?? `user ${span.author}`;
    marker["data-author"] = author ? initialsOf(author.name) : `#${span.author}`;
    marker["data-name"] = `${look.name} by ${name}: `;
    if (author) marker.style += `;--gl-ac:${safeColor(author.color)}`;
  }
  return [
    Decoration.inline(
      from,
      to,
      {
        nodeName: "span",
        class: `gl-span gl-lane-${shown} gl-pat-${look.pattern}`,
        style: `--gl-c:${look.color}`,
        "data-span-id": span.id,
      },
      { spanId: span.id },
    ),
    Decoration.inline(from, markEnd, marker, { spanId: span.id, marker: true }),
  ];
}

const visible = (rec: SpanRecord, ctx: DecorationContext) =>
  ctx.labelFilter === null || ctx.labelFilter.has(rec.label);

/** The spans drawn (those passing the label filter), their lanes and their decorations. */
export interface TextWindow {
  from: number;
  to: number;
}

/** The whole text. */
export const EVERYTHING: TextWindow = { from: 0, to: Number.POSITIVE_INFINITY };

export class SpanDecorations {
  readonly index: SpanIndex<Span>;
  private readonly made = new Map<string, Decoration[]>();

  constructor(
    spans: Iterable<Span>,
    private readonly ctx: DecorationContext,
    private window: TextWindow = EVERYTHING,
  ) {
    const shown: Span[] = [];
    for (const s of spans) if (visible(s, ctx)) shown.push(s);
    this.index = new SpanIndex(shown);
  }

  /** The text window whose spans are decorated. */
  get textWindow(): TextWindow {
    return this.window;
  }

  private inWindow(s: Span): boolean {
    return s.start < this.window.to && s.end > this.window.from;
  }

  /** Number of spans that currently have decorations. */
  get decorated(): number {
    return this.made.size;
  }

  /** Every decoration of the window, for a fresh DecorationSet. */
  build(doc: PmNode): DecorationSet {
    const all: Decoration[] = [];
    this.made.clear();
    for (const s of this.index.overlapping(this.window.from, this.window.to)) {
      const decos = spanDecorations(s, this.index.lane(s.id), this.ctx);
      this.made.set(s.id, decos);
      all.push(...decos);
    }
    return DecorationSet.create(doc, all);
  }

  /** Moves the window: decorations for the spans that enter it, removal for those that leave it. */
  setWindow(window: TextWindow): DecorationChange {
    this.window = window;
    const remove: Decoration[] = [];
    for (const [id, decos] of this.made) {
      const s = this.index.get(id);
      if (!s || !this.inWindow(s)) {
        remove.push(...decos);
        this.made.delete(id);
      }
    }
    const add: Decoration[] = [];
    for (const s of this.index.overlapping(window.from, window.to)) {
      if (this.made.has(s.id)) continue;
      const decos = spanDecorations(s, this.index.lane(s.id), this.ctx);
      this.made.set(s.id, decos);
      add.push(...decos);
    }
    return { remove, add };
  }

  /**
   * Applies changed span records (null = deleted); returns the decorations to remove and to add: those of
   * the changed spans and of the spans whose lane moved because of them.
   */
  update(changes: Iterable<[string, SpanRecord | null]>): DecorationChange {
    const redraw = new Set<string>();
    const remove: Decoration[] = [];
    for (const [id, rec] of changes) {
      const next = rec && visible(rec, this.ctx) ? { ...rec, id } : null;
      if (!next && !this.index.get(id)) continue;
      redraw.add(id);
      for (const other of this.index.apply(id, next)) redraw.add(other);
    }
    const add: Decoration[] = [];
    for (const id of redraw) {
      const old = this.made.get(id);
      if (old) remove.push(...old);
      const span = this.index.get(id);
      if (!span || !this.inWindow(span)) {
        this.made.delete(id);
        continue;
      }
      const decos = spanDecorations(span, this.index.lane(id), this.ctx);
      this.made.set(id, decos);
      add.push(...decos);
    }
    return { remove, add };
  }
}
