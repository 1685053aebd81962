/** The keyboard shortcuts popover (the map itself is keyboard.ts; keep the two in step). */
import type { EditorView } from "@tiptap/pm/view";
import { useEffect, useRef } from "react";
import styles from "./KeyboardHelp.module.css";

const SHORTCUTS: Array<[string, string]> = [
  ["Shift + ← → ↑ ↓, Shift + Home / End", "Select text"],
  ["Label key (1, 2, …)", "Label the selection (grown to whole words), or relabel the selected span"],
  [
    "Alt + label key, Alt + drag, Alt + click a label",
    "Label the selection exactly, without growing it to words",
  ],
  ["Tab / Shift + Tab", "Select the next / previous span (past the last one, leave the text)"],
  ["Click a span (again: the next one stacked there)", "Select a span"],
  ["Alt + ← / →", "Move the selected span's start one word (or character) left / right"],
  ["Alt + Shift + ← / →", "Move the selected span's end one word (or character) left / right"],
  ["Enter", "Edit the selected span's note (Enter saves, Escape returns to the text)"],
  ["Delete or Backspace", "Delete the selected span"],
  ["Shift + R", "Link the selected span to another: then click it, or Tab to it and press Enter"],
  ["1, 2, … (while linking)", "Choose the relation type"],
  ["Shift + S / Alt + Shift + S", "Select the next / previous suggestion (a dashed ghost span)"],
  ["Enter (a suggestion selected)", "Accept the suggestion into your layer"],
  ["Delete, Backspace or X (a suggestion selected)", "Reject the suggestion (it does not come back)"],
  ["Ctrl/⌘ + Z", "Undo your last change"],
  ["Ctrl/⌘ + Shift + Z, Ctrl + Y", "Redo"],
  ["Ctrl/⌘ + C", "Copy the exact text"],
  ["Escape", "Cancel linking, deselect the span, or close this help"],
  ["?", "Show or hide this help"],
];

export function KeyboardHelp({ onClose, view }: { onClose(): void; view: EditorView }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus({ preventScroll: true });
    return () => {
      if (returnTo?.isConnected) returnTo.focus();
      else view.focus();
    };
  }, [view]);
  return (
    <div
      ref={ref}
      className={`gl-help ${styles.help}`}
      role="dialog"
      aria-label="Keyboard shortcuts"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === "Escape" || e.key === "?") {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div className="gl-help-head">
        <h2>Keyboard shortcuts</h2>
        <button type="button" className="gl-icon-btn" aria-label="Close keyboard shortcuts" onClick={onClose}>
          ×
        </button>
      </div>
      <table>
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">{keys}</th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
