/**
 * Which part of the text gets decorations: what the scroller shows plus a margin, moved in small steps as the
 * user scrolls (see decorations.ts for why only a window is decorated).
 */
import type { TextWindow } from "./decorations";
import type { TextLayout } from "./textLayout";

/** The text decorated before the first measurement (a few screens from the top). */
export const INITIAL_WINDOW: TextWindow = { from: 0, to: 12_000 };
/**
 * Decorate this many visible ranges' worth of text above and below the visible one, and move the window once
 * the visible text comes within WINDOW_SLACK of its edge: small, frequent moves keep every frame's share of
 * the work small while scrolling.
 */
const WINDOW_MARGIN = 1;
const WINDOW_SLACK = 0.75;
/** Never less margin than this (UTF-16 code units). */
const MIN_MARGIN = 2000;

/**
 * What of `scroller` is on screen: its box clipped to the window, so that the window is right both when the
 * editor scrolls inside its own box and when its box is taller than the screen and the page scrolls.
 */
export function visibleBox(scroller: HTMLElement): DOMRect {
  const r = scroller.getBoundingClientRect();
  const top = Math.max(r.top, 0);
  const bottom = Math.min(r.bottom, window.innerHeight || r.bottom);
  return new DOMRect(r.left, top, r.width, Math.max(0, bottom - top));
}

/** Index of the first of `els` for which `after` holds (they are in order), els.length if none. */
function firstAfter(els: HTMLCollection, after: (rect: DOMRect) => boolean): number {
  let lo = 0;
  let hi = els.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(els[mid]!.getBoundingClientRect())) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first and last of `els` that `box` shows (clamped to the first and last element). */
function shown(els: HTMLCollection, box: DOMRect): [number, number] {
  const first = Math.min(
    els.length - 1,
    firstAfter(els, (r) => r.bottom > box.top),
  );
  const last = Math.max(first, firstAfter(els, (r) => r.top >= box.bottom) - 1);
  return [first, Math.min(last, els.length - 1)];
}

/**
 * The first and last line (paragraph) that `box` shows, by binary search over the lines' rectangles (over the
 * chunks' first, when the layout has chunks, then over the lines of the first and last chunk shown): a few
 * dozen reads of block geometry, where hit-testing the text (posAtCoords) on every scroll frame was far
 * costlier. Only the chunks shown are laid out to answer, and the browser lays those out for the frame anyway.
 */
export function visibleLines(root: HTMLElement, box: DOMRect, layout: TextLayout): [number, number] | null {
  const top = root.children;
  if (top.length === 0) return null;
  if (layout.chunkStarts.length === 0) return shown(top, box);
  const [c0, c1] = shown(top, box);
  const a = top[c0]!.children;
  const b = top[c1]!.children;
  if (a.length === 0 || b.length === 0) return null;
  const first = layout.chunkStarts[c0]! + shown(a, box)[0];
  const last = layout.chunkStarts[c1]! + shown(b, box)[1];
  return [first, Math.max(first, last)];
}

/** The window to decorate when `lines` are visible, or null when the current one still covers them. */
export function nextWindow(
  layout: TextLayout,
  lines: [number, number],
  current: TextWindow,
): TextWindow | null {
  const from = layout.lineStarts[lines[0]]!;
  const to = layout.lineEnds[lines[1]]!;
  const margin = Math.max(MIN_MARGIN, (to - from) * WINDOW_MARGIN);
  const slack = margin * WINDOW_SLACK;
  const covered =
    current.from <= Math.max(0, from - slack) && current.to >= Math.min(layout.text.length, to + slack);
  return covered ? null : { from: Math.max(0, from - margin), to: to + margin };
}
