/**
 * Keeps the document text immutable while leaving it a focused, selectable contenteditable (so the caret,
 * Shift+arrows, Home/End and copy work): every document-changing transaction is filtered out, input events are
 * cancelled before the browser touches the DOM, and copy puts the exact text (CRLF and all) on the clipboard.
 */
import { Extension } from "@tiptap/core";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import type { EditorView } from "@tiptap/pm/view";
import { posToOffset, type TextLayout } from "./textLayout";

export const immutableKey = new PluginKey("glossImmutable");

/** The exact text under the editor's selection. */
export function selectedText(view: EditorView, layout: TextLayout): string {
  const { from, to } = view.state.selection;
  return layout.text.slice(posToOffset(layout, from), posToOffset(layout, to));
}

function copyExact(view: EditorView, layout: TextLayout, event: ClipboardEvent): boolean {
  if (view.state.selection.empty || !event.clipboardData) return false;
  event.clipboardData.clearData();
  event.clipboardData.setData("text/plain", selectedText(view, layout));
  event.preventDefault();
  return true;
}

/** The immutability extension for `layout`'s text. */
export function immutableText(layout: TextLayout) {
  return Extension.create({
    name: "glossImmutable",
    onBeforeCreate() {
      // A DOM change the browser made anyway (an IME composition cannot be cancelled) is read back by
      // ProseMirror as a transaction that the filter drops; Tiptap then skips updateState, so redraw the
      // nodes ProseMirror marked dirty to put the exact text back.
      this.editor.on("beforeTransaction", ({ transaction }) => {
        if (!transaction.docChanged) return;
        queueMicrotask(() => {
          const view = this.editor.view;
          if (!view.isDestroyed) view.updateState(view.state);
        });
      });
    },
    addProseMirrorPlugins() {
      return [
        new Plugin({
          key: immutableKey,
          filterTransaction: (tr) => !tr.docChanged,
          props: {
            handleTextInput: () => true,
            handlePaste: () => true,
            handleDrop: () => true,
            // Used by drag and by copy paths that bypass the copy event: always the selection's exact text.
            clipboardTextSerializer: (_slice, view) => selectedText(view, layout),
            handleDOMEvents: {
              beforeinput: (_view, event) => {
                event.preventDefault();
                return true;
              },
              copy: (view, event) => copyExact(view, layout, event),
              cut: (view, event) => {
                copyExact(view, layout, event);
                event.preventDefault();
                return true;
              },
              dragstart: (_view, event) => {
                event.preventDefault();
                return true;
              },
            },
          },
        }),
      ];
    },
  });
}
