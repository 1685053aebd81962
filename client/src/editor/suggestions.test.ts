import type { Transaction } from "@tiptap/pm/state";
import { describe, expect, test } from "vitest";
import { type EditorSuggestion, SuggestionGhosts } from "./suggestions";
import { layoutText } from "./textLayout";

const text = "Yesterday the minister spoke. Later the minister left.";
const ghost = (start: number, end: number, label = 1): EditorSuggestion => ({
  key: `1:${start}:${end}:${label}`,
  recommender: 1,
  start,
  end,
  label,
  labelName: "claim",
  recommenderName: "strings",
  score: 0.75,
});

/** A host that records what the ghosts ask of the editor (no view: the transactions are not applied). */
function host() {
  const said: string[] = [];
  const selected: Array<string | null> = [];
  const h = {
    layout: layoutText(text),
    change: (_edit: (tr: Transaction) => void) => {},
    say: (m: string) => said.push(m),
  };
  return { h, said, selected };
}

describe("SuggestionGhosts", () => {
  test("walks the suggestions in reading order from the caret, wrapping; a vanished one is deselected", () => {
    const { h, said, selected } = host();
    const g = new SuggestionGhosts(h, (k) => selected.push(k));
    const later = ghost(36, 48);
    const first = ghost(10, 22);
    g.set([later, first]);
    expect(g.step(1, 0)).toBe(true);
    expect(g.selected?.key).toBe(first.key);
    expect(said.at(-1)).toBe(
      "Suggestion “the minister”: suggested claim, score 75 % — strings. Enter accepts it; Delete or X rejects it.",
    );
    g.step(1, 0);
    expect(g.selected?.key).toBe(later.key);
    g.step(1, 0);
    expect(g.selected?.key).toBe(first.key); // wraps
    g.select(null);
    g.step(-1, 30); // before the caret: the first one
    expect(g.selected?.key).toBe(first.key);
    g.select(null);
    g.step(-1, 5); // nothing before the caret: wraps to the last
    expect(g.selected?.key).toBe(later.key);
    g.set([first]); // accepted elsewhere: no longer listed
    expect(g.selected).toBeNull();
    expect(selected.at(-1)).toBeNull();
    g.set([]);
    g.step(1, 0);
    expect(said.at(-1)).toBe("No suggestions here.");
  });
});
