import { describe, expect, it } from "vitest";
import { barDomain, linear, NEGATIVE_COLOR, NULL_COLOR, truncate, valueColor, valueTextColor } from "./scale";

describe("chart scales", () => {
  it("colours coefficients along one ramp, with separate colours for null and below zero", () => {
    expect(valueColor(0)).toBe("#f7eedf");
    expect(valueColor(1)).toBe("#174a8c");
    expect(valueColor(0.5)).toBe("#9cc0e0");
    expect(valueColor(1.5)).toBe("#174a8c");
    expect(valueColor(-0.2)).toBe(NEGATIVE_COLOR);
    expect(valueColor(null)).toBe(NULL_COLOR);
    // dark text on pale cells, white on the deep end
    expect(valueTextColor(0.1)).toBe("#000000");
    expect(valueTextColor(0.95)).toBe("#ffffff");
  });

  it("maps linearly and widens the bar domain below zero in quarter steps", () => {
    expect(linear(0, 1, 10, 110)(0.25)).toBe(35);
    expect(barDomain([0.2, null, 0.9])).toEqual([0, 1]);
    expect(barDomain([-0.1, 0.5])).toEqual([-0.25, 1]);
    expect(barDomain([-3])).toEqual([-1, 1]);
  });

  it("truncates by code points, never halving an emoji", () => {
    expect(truncate("annotator", 20)).toBe("annotator");
    expect(truncate("😀😀😀😀", 3)).toBe("😀😀…");
  });
});
