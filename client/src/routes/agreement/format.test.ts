import { describe, expect, it } from "vitest";
import { figureCounts, figureSentence, figureText, formatValue } from "./format";

describe("agreement figures as text", () => {
  it("prints values to three decimals with a true minus, and no signed zero", () => {
    expect(formatValue(0.7434)).toBe("0.743");
    expect(formatValue(-0.12)).toBe("−0.120");
    expect(formatValue(-0.0004)).toBe("0.000");
    expect(formatValue(null)).toBe("—");
    expect(formatValue(Number.NaN)).toBe("—");
  });

  it("says why a figure is not computable", () => {
    expect(figureText({ value: null, reason: "fewer than two layers to compare" })).toBe(
      "not computable: fewer than two layers to compare",
    );
    expect(figureText({ value: 1 })).toBe("1.000");
  });

  it("names the counts a figure stands on, in a fixed order", () => {
    const f1 = { value: 0.8, tp: 4, fp: 1, fn: 1, precision: 0.8, recall: null };
    expect(figureCounts(f1)).toEqual([
      "matches 4",
      "only in first 1",
      "only in second 1",
      "precision 0.800",
      "recall —",
    ]);
    expect(figureSentence({ value: null, reason: "no spans", pairable: 0 } as never)).toBe(
      "not computable: no spans (pairable values 0)",
    );
  });
});
