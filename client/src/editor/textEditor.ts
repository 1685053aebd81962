/**
 * The Tiptap editor over the immutable text: the text schema, the immutability guard and the given plugins,
 * with Tiptap's editing-oriented core extensions (keymap, paste, drop, delete, clipboard serializer) left out.
 */
import { Editor, Extension } from "@tiptap/core";
import type { Plugin, Transaction } from "@tiptap/pm/state";
import { immutableText } from "./immutable";
import { textSchemaExtensions } from "./schema";
import { type TextLayout, textToPmJson } from "./textLayout";

export interface TextEditorOptions {
  element: HTMLElement;
  layout: TextLayout;
  /** The editor's own plugins (decorations, input), ahead of everything else. */
  plugins: () => Plugin[];
  onSelectionUpdate(tr: Transaction): void;
}

/** Creates and mounts the editor; the first render already carries the plugins' decorations. */
export function createTextEditor(opts: TextEditorOptions): Editor {
  const annotation = Extension.create({
    name: "glossAnnotation",
    priority: 1000,
    addProseMirrorPlugins: opts.plugins,
  });
  const editor = new Editor({
    element: null,
    extensions: [...textSchemaExtensions, immutableText(opts.layout), annotation],
    content: textToPmJson(opts.layout.text, opts.layout),
    enableCoreExtensions: {
      keymap: false,
      clipboardTextSerializer: false,
      drop: false,
      paste: false,
      delete: false,
    },
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-readonly": "true",
        "aria-label": "Document text",
        spellcheck: "false",
        autocorrect: "off",
        autocapitalize: "off",
        translate: "no",
        // No on-screen keyboard on touch devices: there is nothing to type.
        inputmode: "none",
        class: "gl-text",
      },
    },
    onSelectionUpdate: ({ transaction }) => opts.onSelectionUpdate(transaction),
  });
  // Give the state its plugins (and the first decorations) before the view exists, so the text is rendered
  // once, already decorated; mount() keeps the plugin states it finds.
  editor.view.updateState(editor.state.reconfigure({ plugins: editor.extensionManager.plugins }));
  editor.mount(opts.element);
  return editor;
}
