/**
 * How the tags above the spans are written: the label's name (the default, as brat and INCEpTION do) or, in
 * compact mode, its initial. The choice is this device's, kept in localStorage (unavailable storage, as in a
 * locked-down browser, just means the default every time).
 */
const KEY = "gloss:compact-labels";

/** Whether compact mode was chosen on this device. */
export function readCompactTags(): boolean {
  try {
    return localStorage.getItem(KEY) === "true";
  } catch {
    return false;
  }
}

/** Remembers the choice. */
export function writeCompactTags(compact: boolean): void {
  try {
    if (compact) localStorage.setItem(KEY, "true");
    else localStorage.removeItem(KEY);
  } catch {
    // not remembered: nothing else to do
  }
}
