import { afterEach, describe, expect, it } from "vitest";
import { displayedToOriginal, selectionRange, snappedSelection } from "./textSelection";

const TEXT = "Critics denied it.\nPrices may fall.";

/** The lanes' shape in small: plain text, a region with a segment, a lane cell, more plain text. */
function lanes(): HTMLElement {
  document.body.innerHTML = `<div id="root"><span data-text-start="0" data-text-end="8" data-text-shown="plain">Critics </span><span class="region"><span class="seg"><span data-text-start="8" data-text-end="19" data-text-shown="segment">denied it. ⏎ </span><span class="cell">D</span></span></span><span data-text-start="19" data-text-end="35" data-text-shown="plain">Prices may fall.</span></div>`;
  return document.getElementById("root")!;
}

const textIn = (root: HTMLElement, start: number) =>
  root.querySelector(`[data-text-start="${start}"]`)!.firstChild!;

function select(a: Node, aOffset: number, b: Node, bOffset: number): Selection {
  const sel = document.getSelection()!;
  sel.removeAllRanges();
  const r = document.createRange();
  r.setStart(a, aOffset);
  r.setEnd(b, bOffset);
  sel.addRange(r);
  return sel;
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("selections in the lanes", () => {
  it("maps a drawn line break back to the text's", () => {
    const original = "it.\nPrices";
    // "it. ⏎ Prices": after the mark is after the break
    expect(displayedToOriginal(original, 3)).toBe(3);
    expect(displayedToOriginal(original, 6)).toBe(4);
    expect(displayedToOriginal(original, 7)).toBe(5);
    expect(displayedToOriginal("a\r\nb", 4)).toBe(3);
  });

  it("reads offsets across plain text and segments, snapped to words or exact", () => {
    const root = lanes();
    // from inside "Critics" to inside "denied"
    const sel = select(textIn(root, 0), 3, textIn(root, 8), 3);
    expect(selectionRange(root, TEXT, sel)).toEqual({ start: 3, end: 11 });
    expect(snappedSelection(root, TEXT, sel, false)).toEqual({ start: 0, end: 14 });
    expect(snappedSelection(root, TEXT, sel, true)).toEqual({ start: 3, end: 11 });
    // across the drawn line break into the next plain text
    const across = select(textIn(root, 8), 0, textIn(root, 19), 3);
    expect(selectionRange(root, TEXT, across)).toEqual({ start: 8, end: 22 });
  });

  it("moves a boundary on a lane cell to the nearest text inward", () => {
    const root = lanes();
    const cell = root.querySelector(".cell")!.firstChild!;
    // from the cell (after "denied it." in reading order) to inside "Prices"
    const sel = select(cell, 0, textIn(root, 19), 6);
    expect(selectionRange(root, TEXT, sel)).toEqual({ start: 19, end: 25 });
    // nothing but a cell: no text
    expect(selectionRange(root, TEXT, select(cell, 0, cell, 1))).toBeNull();
  });
});
