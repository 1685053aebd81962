/**
 * The ProseMirror plugin that holds the span decorations. Its state only changes through transactions that
 * carry DecorationChanges (remove + add, from SpanDecorations) or a fresh set (label filter or label look
 * changed), so a change in the spans map costs one tree update, not a rebuild. Changes apply in order: one
 * transaction may carry several (an action folded into one DOM update, see EditorSession.batch).
 */
import type { Node as PmNode } from "@tiptap/pm/model";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import type { DecorationSet } from "@tiptap/pm/view";
import type { DecorationChange } from "./decorations";

export type SpanDecorationStep = DecorationChange | { reset: DecorationSet };
export type SpanDecorationMeta = SpanDecorationStep[];

export const spanDecorationsKey = new PluginKey<DecorationSet>("glossSpans");

/** The plugin; `initial` builds the first set from the spans present when the editor opens. */
export function spanDecorationsPlugin(initial: (doc: PmNode) => DecorationSet) {
  return new Plugin<DecorationSet>({
    key: spanDecorationsKey,
    state: {
      init: (_config, state) => initial(state.doc),
      apply(tr, set) {
        let next = tr.docChanged ? set.map(tr.mapping, tr.doc) : set;
        const meta = tr.getMeta(spanDecorationsKey) as SpanDecorationMeta | undefined;
        for (const step of meta ?? []) {
          if ("reset" in step) next = step.reset;
          else {
            // DecorationSet.remove nulls out the entries it finds: hand it a copy.
            if (step.remove.length > 0) next = next.remove(step.remove.slice());
            if (step.add.length > 0) next = next.add(tr.doc, step.add);
          }
        }
        return next;
      },
    },
    props: {
      decorations: (state) => spanDecorationsKey.getState(state),
    },
  });
}
