/**
 * Short-lived decorations over the spans: the selected span, the spans it is related to, the source of a
 * relation being drawn, and other people's selections (awareness), drawn faintly in their colour. They are few,
 * so the set is rebuilt whenever one of them changes.
 */
import { relationsOf, spansOf } from "@gloss/shared";
import type { Node as PmNode } from "@tiptap/pm/model";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import type * as Y from "yjs";
import { safeColor } from "./labelStyle";
import { offsetToPos, type TextLayout } from "./textLayout";

export interface RemoteSelection {
  clientId: number;
  start: number;
  end: number;
  name: string;
  color: string;
}

export interface OverlayState {
  selected: { start: number; end: number; color: string } | null;
  related: Array<{ start: number; end: number }>;
  relationSource: { start: number; end: number } | null;
  remote: RemoteSelection[];
}

/** The overlay for a selected span (and the spans related to it) and a relation source, by span id. */
export function overlayState(
  doc: Y.Doc,
  selectedId: string | null,
  sourceId: string | null,
  colorOf: (labelId: number) => string,
  remote: RemoteSelection[],
): OverlayState {
  const spans = spansOf(doc);
  const selected = selectedId ? spans.get(selectedId) : undefined;
  const source = sourceId ? spans.get(sourceId) : undefined;
  const related: Array<{ start: number; end: number }> = [];
  if (selected) {
    relationsOf(doc).forEach((r) => {
      const other = r.from === selectedId ? r.to : r.to === selectedId ? r.from : null;
      const s = other ? spans.get(other) : undefined;
      if (s) related.push({ start: s.start, end: s.end });
    });
  }
  return {
    selected: selected ? { start: selected.start, end: selected.end, color: colorOf(selected.label) } : null,
    related,
    relationSource: source ? { start: source.start, end: source.end } : null,
    remote,
  };
}

export const emptyOverlay: OverlayState = { selected: null, related: [], relationSource: null, remote: [] };

export const overlayKey = new PluginKey<DecorationSet>("glossOverlay");

function range(layout: TextLayout, r: { start: number; end: number }): [number, number] | null {
  const from = offsetToPos(layout, r.start, 1);
  const to = offsetToPos(layout, r.end, -1);
  return from < to ? [from, to] : null;
}

/** The decorations of an overlay state. */
export function overlayDecorations(doc: PmNode, layout: TextLayout, o: OverlayState): DecorationSet {
  const out: Decoration[] = [];
  for (const r of o.remote) {
    const at = range(layout, r);
    if (!at) continue;
    const style = `--gl-rc:${safeColor(r.color)}`;
    out.push(Decoration.inline(at[0], at[1], { nodeName: "span", class: "gl-remote", style, title: r.name }));
    // Their caret at the selection's end, with their name on a flag above it: generated content (CSS
    // attr(), so the name is text, never markup), no caret stop and never copied, like the label tags.
    const code = layout.text.charCodeAt(r.end - 1);
    const lastChar = r.end - (code >= 0xdc00 && code <= 0xdfff ? 2 : 1); // a whole astral character
    const last = Math.min(Math.max(at[0], offsetToPos(layout, lastChar, 1)), at[1] - 1);
    out.push(
      Decoration.inline(last, at[1], {
        nodeName: "span",
        class: "gl-remote-end",
        style,
        "data-remote-name": r.name,
      }),
    );
  }
  for (const r of o.related) {
    const at = range(layout, r);
    if (at) out.push(Decoration.inline(at[0], at[1], { nodeName: "span", class: "gl-related" }));
  }
  if (o.relationSource) {
    const at = range(layout, o.relationSource);
    if (at) out.push(Decoration.inline(at[0], at[1], { nodeName: "span", class: "gl-rel-source" }));
  }
  if (o.selected) {
    const at = range(layout, o.selected);
    if (at) {
      out.push(
        Decoration.inline(at[0], at[1], {
          nodeName: "span",
          class: "gl-selected",
          style: `--gl-c:${o.selected.color}`,
        }),
      );
    }
  }
  return DecorationSet.create(doc, out);
}

/** The plugin: a transaction with an OverlayState meta replaces the overlay. */
export function overlayPlugin(layout: TextLayout) {
  return new Plugin<DecorationSet>({
    key: overlayKey,
    state: {
      init: () => DecorationSet.empty,
      apply(tr, set) {
        const meta = tr.getMeta(overlayKey) as OverlayState | undefined;
        if (meta) return overlayDecorations(tr.doc, layout, meta);
        return tr.docChanged ? set.map(tr.mapping, tr.doc) : set;
      },
    },
    props: {
      decorations: (state) => overlayKey.getState(state),
    },
  });
}
