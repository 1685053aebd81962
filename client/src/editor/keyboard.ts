/**
 * The editor's keyboard map, as a pure function from a key event to an action (documented to users in
 * KeyboardHelp.tsx; keep the two in step). Navigation keys (arrows, Shift+arrows, Home/End, Page Up/Down)
 * and copy are left to the browser.
 */

export type KeyAction =
  | { type: "label"; labelId: number; exact: boolean }
  | { type: "relationType"; index: number }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "delete" }
  | { type: "nextSpan"; dir: 1 | -1 }
  | { type: "moveEdge"; edge: "start" | "end"; dir: 1 | -1 }
  | { type: "startRelation" }
  | { type: "enter" }
  | { type: "escape" }
  | { type: "help" }
  /** A key that would edit the text: nothing happens. */
  | { type: "swallow" };

export interface KeyContext {
  /** Hotkey (one digit or lower-case letter) → label id. */
  hotkeys: ReadonlyMap<string, number>;
  spanSelected: boolean;
  /** Relation types offered for a chosen target (0 = not choosing). */
  choosingRelationType: number;
}

export interface KeyLike {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** The hotkey character of a key press; with Alt held, from the physical key (macOS Option+1 types "¡"). */
export function hotkeyChar(e: KeyLike): string {
  if (e.altKey) {
    const m = /^(?:Digit|Numpad)(\d)$|^Key([A-Z])$/.exec(e.code);
    if (m) return (m[1] ?? m[2]!).toLowerCase();
  }
  return e.key.length === 1 ? e.key : "";
}

export type SuggestionKeyAction = "next" | "previous" | "accept" | "reject" | "deselect";

/**
 * The suggestion keys (issue 14), resolved before the others: Shift+S / Alt+Shift+S walk the suggestions;
 * with one selected, Enter accepts it, Delete, Backspace or X rejects it (X wins over a label hotkey "x"
 * only then) and Escape lets go of it.
 */
export function resolveSuggestionKey(e: KeyLike, suggestionSelected: boolean): SuggestionKeyAction | null {
  if (e.ctrlKey || e.metaKey) return null;
  if (e.shiftKey && e.code === "KeyS") return e.altKey ? "previous" : "next";
  if (!suggestionSelected || e.altKey) return null;
  if (e.key === "Enter" && !e.shiftKey) return "accept";
  if (e.key === "Delete" || e.key === "Backspace" || e.key === "x" || e.key === "X") return "reject";
  if (e.key === "Escape") return "deselect";
  return null;
}

/** Resolves a keydown to an editor action, or null to let the browser and ProseMirror have it. */
export function resolveKey(e: KeyLike, ctx: KeyContext): KeyAction | null {
  const mod = e.ctrlKey || e.metaKey;
  const lower = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (lower === "z") return e.shiftKey ? { type: "redo" } : { type: "undo" };
    if (lower === "y" && !e.shiftKey) return { type: "redo" };
    if (lower === "x" || lower === "v") return { type: "swallow" };
    return null;
  }
  if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
    if (!e.altKey || !ctx.spanSelected) return null;
    const dir = e.key === "ArrowLeft" ? -1 : 1;
    if (e.shiftKey && !mod) return { type: "moveEdge", edge: "end", dir };
    if (!e.shiftKey) return { type: "moveEdge", edge: "start", dir };
    return null;
  }
  if (mod) return null;
  switch (e.key) {
    case "Tab":
      return e.altKey ? null : { type: "nextSpan", dir: e.shiftKey ? -1 : 1 };
    case "Delete":
    case "Backspace":
      return ctx.spanSelected ? { type: "delete" } : { type: "swallow" };
    case "Enter":
      return { type: "enter" };
    case "Escape":
      return { type: "escape" };
    case "?":
      return { type: "help" };
  }
  const ch = hotkeyChar(e);
  if (ctx.choosingRelationType > 0 && /^[1-9]$/.test(ch) && Number(ch) <= ctx.choosingRelationType) {
    return { type: "relationType", index: Number(ch) - 1 };
  }
  const labelId = e.shiftKey ? undefined : ctx.hotkeys.get(ch);
  if (labelId !== undefined) return { type: "label", labelId, exact: e.altKey };
  if (ctx.spanSelected && (e.key === "R" || (e.key === "r" && !ctx.hotkeys.has("r")))) {
    return { type: "startRelation" };
  }
  return null;
}
