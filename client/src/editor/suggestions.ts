/**
 * Suggestions (issue 14) drawn over the text as ghost spans: a dashed outline with no fill and a "suggested"
 * tag (label and score), never the solid underline of a real span, in a ProseMirror plugin of their own so
 * they never mix with the layer's span decorations. They are server-computed data, not part of the layer:
 * nothing here writes to the Y.Doc; accepting or rejecting is the page's (through the REST routes).
 */
import type { Node as PmNode } from "@tiptap/pm/model";
import { Plugin, PluginKey, TextSelection, type Transaction } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { safeColor } from "./labelStyle";
import styles from "./Suggestions.module.css";
import { offsetToPos, type TextLayout } from "./textLayout";

/** One suggestion as the editor draws it (offsets in UTF-16, like the layer). */
export interface EditorSuggestion {
  /** Stable identity: recommender, offsets and label. */
  key: string;
  recommender: number;
  start: number;
  end: number;
  label: number;
  labelName: string;
  recommenderName: string;
  score: number;
}

/** The key of a suggestion (recommender, offsets, label). */
export const suggestionKey = (s: { recommender: number; start: number; end: number; label: number }) =>
  `${s.recommender}:${s.start}:${s.end}:${s.label}`;

/** "claim, 80 % — strings": what a ghost span says about itself (tooltip, sidebar, screen readers). */
export function describeSuggestion(s: EditorSuggestion): string {
  return `suggested ${s.labelName}, score ${Math.round(s.score * 100)} % — ${s.recommenderName}`;
}

interface GhostState {
  list: readonly EditorSuggestion[];
  selected: string | null;
}

export const suggestionKeyPlugin = new PluginKey<DecorationSet>("glossSuggestions");

function ghostDecorations(
  doc: PmNode,
  layout: TextLayout,
  state: GhostState,
  colorOf: (label: number) => string,
): DecorationSet {
  const out: Decoration[] = [];
  for (const s of state.list) {
    const from = offsetToPos(layout, s.start, 1);
    const to = offsetToPos(layout, s.end, -1);
    if (from >= to) continue;
    const selected = s.key === state.selected;
    out.push(
      Decoration.inline(
        from,
        to,
        {
          nodeName: "span",
          class: `gl-suggestion ${styles.ghost}${selected ? ` gl-suggestion-selected ${styles.selected}` : ""}`,
          style: `--gl-sc:${safeColor(colorOf(s.label))}`,
          title: describeSuggestion(s),
          "data-suggestion": s.key,
          // generated content (CSS attr()), so it is text, never markup, and never copied
          "data-suggested": `${s.labelName} ${Math.round(s.score * 100)}%`,
        },
        { suggestion: s.key },
      ),
    );
  }
  return DecorationSet.create(doc, out);
}

/** The plugin: a transaction with a GhostState meta redraws the ghost spans. */
export function suggestionPlugin(layout: TextLayout, colorOf: (label: number) => string) {
  return new Plugin<DecorationSet>({
    key: suggestionKeyPlugin,
    state: {
      init: () => DecorationSet.empty,
      apply(tr, set) {
        const meta = tr.getMeta(suggestionKeyPlugin) as GhostState | undefined;
        if (meta) return ghostDecorations(tr.doc, layout, meta, colorOf);
        return tr.docChanged ? set.map(tr.mapping, tr.doc) : set;
      },
    },
    props: { decorations: (state) => suggestionKeyPlugin.getState(state) },
  });
}

/** What SuggestionGhosts needs from the editor session. */
export interface GhostHost {
  readonly layout: TextLayout;
  change(edit: (tr: Transaction) => void): void;
  say(message: string): void;
}

/** The suggestions shown in one editor, the selected one, and walking them in reading order. */
export class SuggestionGhosts {
  private list: readonly EditorSuggestion[] = [];
  private selectedKey: string | null = null;

  constructor(
    private readonly host: GhostHost,
    private readonly onSelect: (key: string | null) => void,
  ) {}

  get selected(): EditorSuggestion | null {
    return this.list.find((s) => s.key === this.selectedKey) ?? null;
  }

  /** Replaces the list (sorted here by position); a selected suggestion no longer listed is deselected. */
  set(list: readonly EditorSuggestion[]): void {
    this.list = [...list].sort((a, b) => a.start - b.start || a.end - b.end || a.label - b.label);
    if (this.selectedKey && !this.list.some((s) => s.key === this.selectedKey)) this.selectedKey = null;
    this.redraw();
    this.onSelect(this.selectedKey);
  }

  /** Selects a suggestion by key (null: none), with the caret at its start and scrolled into view. */
  select(key: string | null): void {
    const s = key ? this.list.find((x) => x.key === key) : undefined;
    const next = s?.key ?? null;
    if (next === this.selectedKey && !s) return;
    this.selectedKey = next;
    if (s) {
      const pos = offsetToPos(this.host.layout, s.start, 1);
      this.host.change((tr) => tr.setSelection(TextSelection.create(tr.doc, pos)).scrollIntoView());
      const quote = this.host.layout.text.slice(s.start, s.end);
      this.host.say(
        `Suggestion “${quote}”: ${describeSuggestion(s)}. Enter accepts it; Delete or X rejects it.`,
      );
    }
    this.redraw();
    this.onSelect(next);
  }

  /** Selects the next (dir 1) or previous suggestion after the selected one or the caret offset. */
  step(dir: 1 | -1, caret: number): boolean {
    if (this.list.length === 0) {
      this.host.say("No suggestions here.");
      return true;
    }
    const i = this.list.findIndex((s) => s.key === this.selectedKey);
    let j: number;
    if (i >= 0) j = (i + dir + this.list.length) % this.list.length;
    else if (dir === 1) {
      j = this.list.findIndex((s) => s.start >= caret);
      if (j < 0) j = 0;
    } else {
      j = this.list.length - 1;
      while (j > 0 && this.list[j]!.start >= caret) j--;
      if (this.list[j]!.start >= caret) j = this.list.length - 1;
    }
    this.select(this.list[j]!.key);
    return true;
  }

  private redraw(): void {
    const state: GhostState = { list: this.list, selected: this.selectedKey };
    this.host.change((tr) => tr.setMeta(suggestionKeyPlugin, state));
  }
}
