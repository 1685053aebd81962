/**
 * A selection in the lanes as offsets into the document text. Every piece of text the lanes show is an
 * element with `data-text-start` / `data-text-end` (UTF-16) holding one text node; `data-text-shown` is
 * "plain" when it shows the text as is, "segment" when line breaks are drawn as " ⏎ " (segmentText).
 * A boundary outside any text (on a badge, a lane cell, between regions) moves to the nearest text inward.
 */
import { type SnapMode, snapRange, type TextRange } from "../../editor/snapping";

/** The marker of a boundary drawn for a line break in a lane column (segmentText). */
const BREAK = /\r\n|\r|\n/y;
const BREAK_SHOWN = " ⏎ ".length;

/** The offset in `original` of the displayed offset `displayed` of segmentText(original). */
export function displayedToOriginal(original: string, displayed: number): number {
  let d = 0;
  let i = 0;
  while (i < original.length && d < displayed) {
    BREAK.lastIndex = i;
    const m = BREAK.exec(original);
    if (m) {
      // inside the drawn marker: before the break if in its first half, after it otherwise
      if (displayed < d + BREAK_SHOWN) return displayed - d < BREAK_SHOWN / 2 ? i : i + m[0].length;
      d += BREAK_SHOWN;
      i += m[0].length;
    } else {
      d++;
      i++;
    }
  }
  return i;
}

interface TextPiece {
  el: HTMLElement;
  start: number;
  end: number;
  shown: string;
}

const piecesIn = (root: HTMLElement): TextPiece[] =>
  Array.from(root.querySelectorAll<HTMLElement>("[data-text-start]")).map((el) => ({
    el,
    start: Number(el.dataset.textStart),
    end: Number(el.dataset.textEnd),
    shown: el.dataset.textShown ?? "plain",
  }));

/** Where a piece's range lies relative to a boundary point: -1 the point is before it, 0 in it, 1 after. */
function compare(piece: TextPiece, node: Node, offset: number): number {
  const r = document.createRange();
  r.selectNodeContents(piece.el);
  return r.comparePoint(node, offset);
}

/** The text offset of one boundary point; `side` says which way to move when it is not on text. */
function offsetOf(
  text: string,
  pieces: readonly TextPiece[],
  node: Node,
  offset: number,
  side: "start" | "end",
): number | null {
  const ordered = side === "start" ? pieces : [...pieces].reverse();
  for (const p of ordered) {
    const where = compare(p, node, offset);
    if (where === 0) {
      if (node.nodeType === Node.TEXT_NODE && p.el.contains(node)) {
        const original = text.slice(p.start, p.end);
        return p.start + (p.shown === "plain" ? offset : displayedToOriginal(original, offset));
      }
      // the piece's element itself: before or after its one text node
      return offset === 0 ? p.start : p.end;
    }
    // the first piece after the point (start) or the last before it (end)
    if (side === "start" && where < 0) return p.start;
    if (side === "end" && where > 0) return p.end;
  }
  return null;
}

/** The document range a selection inside `root` covers (unsnapped), or null when it covers no text. */
export function selectionRange(root: HTMLElement, text: string, sel: Selection | null): TextRange | null {
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const r = sel.getRangeAt(0);
  if (!root.contains(r.commonAncestorContainer)) return null;
  const pieces = piecesIn(root);
  const start = offsetOf(text, pieces, r.startContainer, r.startOffset, "start");
  const end = offsetOf(text, pieces, r.endContainer, r.endOffset, "end");
  if (start === null || end === null || start >= end) return null;
  return { start, end };
}

/** The selection snapped as the annotation editor snaps it: to words, or exact with Alt. */
export function snappedSelection(
  root: HTMLElement,
  text: string,
  sel: Selection | null,
  exact: boolean,
): TextRange | null {
  const r = selectionRange(root, text, sel);
  const mode: SnapMode = exact ? "exact" : "word";
  return r ? snapRange(text, r.start, r.end, mode) : null;
}
