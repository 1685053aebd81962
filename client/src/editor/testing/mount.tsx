/** Mounting the editor in the component tests (happy-dom). */
import type { LabelDto } from "@gloss/shared";
import type { EditorView } from "@tiptap/pm/view";
import { act, createRef, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import type * as Y from "yjs";
import { AnnotationEditor } from "../AnnotationEditor";
import type { AnnotationEditorProps, EditorHandle } from "../types";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export const LABELS: LabelDto[] = [
  {
    id: 1,
    projectId: 1,
    name: "claim",
    color: "#0072b2",
    hotkey: "1",
    description: "A checkable assertion.",
    order: 0,
  },
  { id: 2, projectId: 1, name: "denial", color: "#d55e00", hotkey: "2", description: "", order: 1 },
  { id: 3, projectId: 1, name: "attribution", color: "#009e73", hotkey: "3", description: "", order: 2 },
];

export interface Mounted {
  handle: EditorHandle;
  container: HTMLElement;
  view: EditorView;
  rerender(props: Partial<AnnotationEditorProps>): Promise<void>;
  unmount(): Promise<void>;
  /** Sends a keydown to the editor (as the browser would), inside act(). */
  key(key: string, mods?: Partial<KeyboardEventInit>): Promise<KeyboardEvent>;
}

/** Renders an AnnotationEditor and waits for onReady. */
export async function mountEditor(
  text: string,
  doc: Y.Doc,
  props: Partial<AnnotationEditorProps> = {},
  opts: { strict?: boolean } = {},
): Promise<Mounted> {
  const container = document.createElement("div");
  container.style.height = "600px";
  document.body.appendChild(container);
  const ref = createRef<EditorHandle>();
  const root = createRoot(container);
  let ready!: () => void;
  const readyP = new Promise<void>((r) => {
    ready = r;
  });
  let current: AnnotationEditorProps = {
    text,
    doc,
    labels: LABELS,
    relationTypes: ["attributes"],
    snapping: "word",
    userId: 1,
    onReady: () => ready(),
    ...props,
  };
  const ui = () =>
    opts.strict ? (
      <StrictMode>
        <AnnotationEditor ref={ref} {...current} />
      </StrictMode>
    ) : (
      <AnnotationEditor ref={ref} {...current} />
    );
  await act(async () => root.render(ui()));
  await act(async () => {
    await readyP;
  });
  // Tiptap hangs the editor on its DOM node.
  const pmView = (container.querySelector(".ProseMirror") as unknown as { editor: { view: EditorView } })
    .editor.view;
  return {
    handle: ref.current!,
    container,
    view: pmView,
    async rerender(next) {
      current = { ...current, ...next };
      await act(async () => root.render(ui()));
    },
    async unmount() {
      await act(async () => root.unmount());
      container.remove();
    },
    async key(key, mods = {}) {
      const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...mods });
      await act(async () => {
        pmView.dom.dispatchEvent(event);
      });
      return event;
    },
  };
}
