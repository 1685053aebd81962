import { describe, expect, test } from "vitest";
import { hotkeyChar, type KeyContext, type KeyLike, resolveKey, resolveSuggestionKey } from "./keyboard";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  code: mods.code ?? "",
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});
const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({
  hotkeys: new Map([
    ["1", 11],
    ["2", 12],
    ["c", 13],
  ]),
  spanSelected: false,
  choosingRelationType: 0,
  ...over,
});

describe("resolveKey", () => {
  test("label hotkeys; Alt keeps the selection exact, read from the physical key", () => {
    expect(resolveKey(key("1"), ctx())).toEqual({ type: "label", labelId: 11, exact: false });
    expect(resolveKey(key("c"), ctx())).toEqual({ type: "label", labelId: 13, exact: false });
    expect(resolveKey(key("¡", { altKey: true, code: "Digit1" }), ctx())).toEqual({
      type: "label",
      labelId: 11,
      exact: true,
    });
    expect(resolveKey(key("!", { shiftKey: true, code: "Digit1" }), ctx())).toBeNull();
    expect(resolveKey(key("C", { shiftKey: true }), ctx())).toBeNull();
    expect(resolveKey(key("1", { ctrlKey: true }), ctx())).toBeNull();
    expect(hotkeyChar(key("å", { altKey: true, code: "KeyA" }))).toBe("a");
  });

  test("undo and redo, on Ctrl or Cmd", () => {
    expect(resolveKey(key("z", { ctrlKey: true }), ctx())).toEqual({ type: "undo" });
    expect(resolveKey(key("z", { metaKey: true }), ctx())).toEqual({ type: "undo" });
    expect(resolveKey(key("Z", { ctrlKey: true, shiftKey: true }), ctx())).toEqual({ type: "redo" });
    expect(resolveKey(key("y", { ctrlKey: true }), ctx())).toEqual({ type: "redo" });
  });

  test("copy and select-all stay with the browser; cut and paste do nothing", () => {
    expect(resolveKey(key("c", { ctrlKey: true }), ctx())).toBeNull();
    expect(resolveKey(key("a", { metaKey: true }), ctx())).toBeNull();
    expect(resolveKey(key("x", { ctrlKey: true }), ctx())).toEqual({ type: "swallow" });
    expect(resolveKey(key("v", { ctrlKey: true }), ctx())).toEqual({ type: "swallow" });
  });

  test("navigation keys are the browser's, unless Alt moves a selected span's edge", () => {
    for (const k of ["ArrowLeft", "ArrowRight", "ArrowUp", "Home", "End", "PageDown"]) {
      expect(resolveKey(key(k), ctx())).toBeNull();
      expect(resolveKey(key(k, { shiftKey: true }), ctx())).toBeNull();
    }
    expect(resolveKey(key("ArrowRight", { altKey: true }), ctx())).toBeNull();
    const sel = ctx({ spanSelected: true });
    expect(resolveKey(key("ArrowRight", { altKey: true }), sel)).toEqual({
      type: "moveEdge",
      edge: "start",
      dir: 1,
    });
    expect(resolveKey(key("ArrowLeft", { altKey: true, ctrlKey: true }), sel)).toEqual({
      type: "moveEdge",
      edge: "start",
      dir: -1,
    });
    expect(resolveKey(key("ArrowLeft", { altKey: true, shiftKey: true }), sel)).toEqual({
      type: "moveEdge",
      edge: "end",
      dir: -1,
    });
  });

  test("Tab walks spans; Delete deletes a selected span and is swallowed otherwise", () => {
    expect(resolveKey(key("Tab"), ctx())).toEqual({ type: "nextSpan", dir: 1 });
    expect(resolveKey(key("Tab", { shiftKey: true }), ctx())).toEqual({ type: "nextSpan", dir: -1 });
    expect(resolveKey(key("Delete"), ctx({ spanSelected: true }))).toEqual({ type: "delete" });
    expect(resolveKey(key("Backspace"), ctx({ spanSelected: true }))).toEqual({ type: "delete" });
    expect(resolveKey(key("Backspace"), ctx())).toEqual({ type: "swallow" });
  });

  test("R links a selected span (r too, unless a label uses it); digits pick the relation type", () => {
    expect(resolveKey(key("R", { shiftKey: true }), ctx({ spanSelected: true }))).toEqual({
      type: "startRelation",
    });
    expect(resolveKey(key("r"), ctx({ spanSelected: true }))).toEqual({ type: "startRelation" });
    const rLabel = ctx({ spanSelected: true, hotkeys: new Map([["r", 5]]) });
    expect(resolveKey(key("r"), rLabel)).toEqual({ type: "label", labelId: 5, exact: false });
    expect(resolveKey(key("R", { shiftKey: true }), ctx())).toBeNull();
    expect(resolveKey(key("2"), ctx({ choosingRelationType: 2 }))).toEqual({
      type: "relationType",
      index: 1,
    });
    expect(resolveKey(key("3"), ctx({ choosingRelationType: 2 }))).toBeNull();
  });

  test("Enter, Escape and ? (help)", () => {
    expect(resolveKey(key("Enter"), ctx())).toEqual({ type: "enter" });
    expect(resolveKey(key("Escape"), ctx())).toEqual({ type: "escape" });
    expect(resolveKey(key("?", { shiftKey: true }), ctx())).toEqual({ type: "help" });
  });
});

describe("resolveSuggestionKey", () => {
  test("Shift+S walks the suggestions; with one selected Enter accepts, Delete/Backspace/X reject, Escape lets go", () => {
    expect(resolveSuggestionKey(key("S", { shiftKey: true, code: "KeyS" }), false)).toBe("next");
    expect(resolveSuggestionKey(key("Í", { shiftKey: true, altKey: true, code: "KeyS" }), false)).toBe(
      "previous",
    );
    expect(resolveSuggestionKey(key("Enter"), true)).toBe("accept");
    for (const k of ["Delete", "Backspace", "x", "X"])
      expect(resolveSuggestionKey(key(k), true)).toBe("reject");
    expect(resolveSuggestionKey(key("Escape"), true)).toBe("deselect");
    // nothing selected: Enter, Delete and X are the editor's as before
    for (const k of ["Enter", "Delete", "x", "Escape"])
      expect(resolveSuggestionKey(key(k), false)).toBeNull();
    expect(resolveSuggestionKey(key("s", { code: "KeyS" }), false)).toBeNull();
    expect(resolveSuggestionKey(key("S", { shiftKey: true, ctrlKey: true, code: "KeyS" }), false)).toBeNull();
  });
});
