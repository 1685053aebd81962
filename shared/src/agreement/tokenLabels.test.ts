import { describe, expect, it } from "vitest";
import { tokenize } from "../tokenize";
import { toSpanSet } from "./spans";
import { labelTokens } from "./tokenLabels";

function labels(text: string, spans: Array<[number, number, number]>) {
  const toks = tokenize(text);
  const start = Int32Array.from(toks, (t) => t.start);
  const end = Int32Array.from(toks, (t) => t.end);
  const out = new Int32Array(toks.length);
  labelTokens(
    start,
    end,
    toks.length,
    toSpanSet(spans.map(([s, e, l]) => ({ start: s, end: e, label: l }))),
    out,
    new Int32Array(toks.length),
  );
  return Object.fromEntries(toks.map((t, i) => [t.text, out[i]]));
}

describe("token labels", () => {
  const text = "Officials said the plan will fail.";
  // tokens: Officials(0,9) said(10,14) the(15,18) plan(19,23) will(24,28) fail(29,33) .(33,34)
  it("labels covered tokens and leaves the rest O (0)", () => {
    expect(labels(text, [[19, 33, 2]])).toEqual({
      Officials: 0,
      said: 0,
      the: 0,
      plan: 2,
      will: 2,
      fail: 2,
      ".": 0,
    });
  });

  it("gives a token partly covered by a span that span's label", () => {
    expect(labels(text, [[2, 5, 1]]).Officials).toBe(1);
  });

  it("lets the longest covering span win, then the label first in order", () => {
    const l = labels(text, [
      [0, 14, 3],
      [10, 33, 2],
      [15, 18, 1],
    ]);
    expect(l).toMatchObject({ Officials: 3, said: 2, the: 2, plan: 2 });
    const tie = labels(text, [
      [19, 23, 4],
      [19, 23, 2],
    ]);
    expect(tie.plan).toBe(2);
  });
});
