/**
 * The curation view's keys: J/N next, K/P previous disagreement, 1–9 accept that version, E edit, R reject.
 * Ignored while typing in a field or with a modifier held (so Ctrl+R still reloads, Ctrl+N opens a window).
 */
import { useEffect, useRef } from "react";

export interface CurationKeys {
  enabled: boolean;
  next(): void;
  previous(): void;
  /** 0-based version index. */
  accept(n: number): void;
  edit(): void;
  reject(): void;
}

/** Inputs that take no typed letters: the page's keys still work while one has focus. */
const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset", "file", "color", "range"]);

/** True when a key press belongs to a form field (or an editor), not to the page. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== "function") return false;
  if (el instanceof HTMLInputElement) return !NOT_TYPED.has(el.type);
  return !!el.closest("input, select, textarea, [contenteditable='true'], [contenteditable='']");
}

/** Listens on the window while mounted. */
export function useCurationKeys(keys: CurationKeys): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = ref.current;
      if (!k.enabled || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target))
        return;
      const key = e.key.toLowerCase();
      if (key === "j" || key === "n") k.next();
      else if (key === "k" || key === "p") k.previous();
      else if (/^[1-9]$/.test(key)) k.accept(Number(key) - 1);
      else if (key === "e") k.edit();
      else if (key === "r") k.reject();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
