import { describe, expect, it } from "vitest";
import {
  dkproSmall,
  krippendorff1995,
  krippendorff1995Observed,
  krippendorff1995Stretched,
  krippendorff1995VaryingC,
  krippendorff2004,
  krippendorff2004Expected,
  type UnitizingExample,
} from "./fixtures/unitizing";
import { unitizingAlpha } from "./unitizing";

const study = (e: UnitizingExample) => ({
  length: e.length,
  coders: e.coders,
  units: e.units.map(([offset, length, coder, label]) => ({
    coder,
    start: offset - e.begin,
    end: offset - e.begin + length,
    label,
  })),
});
const label = (r: ReturnType<typeof unitizingAlpha<string>>, l: string) =>
  r.perLabel.find((p) => p.label === l)!;
const close = (actual: number | null, [expected, tol]: readonly [number, number]) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tol);
};

describe("Krippendorff's unitizing alpha", () => {
  it("reproduces Krippendorff 2004, p. 254: α_U 0.8591; c 0.7286 (D_o 0.0144, D_e 0.0532); k 1", () => {
    const r = unitizingAlpha(study(krippendorff2004));
    const x = krippendorff2004Expected;
    close(r.value, x.overall);
    close(label(r, "c").dO, x.c.dO);
    close(label(r, "c").dE, x.c.dE);
    close(label(r, "c").value, x.c.alpha);
    close(label(r, "k").dO, x.k.dO);
    close(label(r, "k").dE, x.k.dE);
    close(label(r, "k").value, x.k.alpha);
    // overall = 1 − ΣD_o / ΣD_e over labels
    expect(r.value).toBeCloseTo(
      1 - (label(r, "c").dO + label(r, "k").dO) / (label(r, "c").dE + label(r, "k").dE),
      12,
    );
  });

  it("reproduces Krippendorff 1995's observed disagreements (D_o per pair of coders)", () => {
    const r = unitizingAlpha(study(krippendorff1995(1)));
    for (const [l, expected] of Object.entries(krippendorff1995Observed))
      close(label(r, l).dO, [expected, 1e-5]);
  });

  it("reproduces Krippendorff 1995 for C as the continuum is stretched", () => {
    for (const [stretch, dO, dE, tol, alpha] of krippendorff1995VaryingC) {
      const c = label(unitizingAlpha(study(krippendorff1995(stretch))), "C");
      close(c.dO, [dO, 1e-5]);
      close(c.dE, [dE, tol]);
      close(c.value, [alpha, 0.02]);
    }
  });

  it("reproduces Krippendorff 1995's expected disagreements and alphas (stretch 50000)", () => {
    const x = krippendorff1995Stretched;
    const r = unitizingAlpha(study(krippendorff1995(x.stretch)));
    for (const l of ["A", "B", "C", "D"] as const) {
      close(label(r, l).dE, [x[l][0], 0.005]);
      close(label(r, l).value, [x[l][1], 0.02]);
    }
  });

  it("gives the same figures for continua too long for the gap histogram (sorted gap lengths)", () => {
    // stretch 50000: longest gap 350,000 (histogram); stretch 1,000,000: longest gap 7,000,000 (sorting)
    const histogram = unitizingAlpha(study(krippendorff1995(50_000)));
    const sorted = unitizingAlpha(study(krippendorff1995(1_000_000)));
    for (const l of ["A", "B", "C", "D"]) {
      expect(label(sorted, l).dO).toBeCloseTo(label(histogram, l).dO, 12);
      expect(label(sorted, l).dE).toBeCloseTo(label(histogram, l).dE, 4);
    }
  });

  it("matches a small example worked by hand (DKPro UnitizingAgreementTest: D_o 0.91, D_e 0.5351, α −0.7003)", () => {
    // r0: -11111111-   one unit [1,9);  r1: --1-1-1---   units [2,3) [4,5) [6,7); L = 10, m = 2.
    // D_o: every r1 unit overlaps [1,9): δ² = (1−2)²+(9−3)² = 37, (1−4)²+(9−5)² = 25, (1−6)²+(9−7)² = 29;
    //      Σ = 91, D_o = 2·91 / (m(m−1)L²) = 182/200 = 0.91.
    // D_e: unit lengths 8,1,1,1 (N = 4); gaps r0: 1,1; r1: 2,1,1,3 (Σ 9).
    //      l = 8: (N−1)(2·512 − 3·64 + 8)/3 = 840, no gap ≥ 8 → 840; l = 1: 0 + 1²·Σ_{gaps}(g − 1 + 1) = 9, three times → 27.
    //      D_e = (2/L)·867 / (mL(mL−1) − Σ l(l−1)) = 173.4 / (380 − 56) = 0.535185…
    // α = 1 − 0.91 / 0.535185 = −0.70035
    const r = unitizingAlpha(study(dkproSmall));
    expect(label(r, "A").dO).toBeCloseTo(0.91, 12);
    expect(label(r, "A").dE).toBeCloseTo(173.4 / 324, 12);
    close(label(r, "A").value, [-0.7003, 0.0001]);
  });

  it("gives exactly 0 when observed equals expected (DKPro testSingleAnnotationUnit)", () => {
    // three coders, L = 20, one unit [0,1) by coder 0: D_o = D_e = 1/600
    const r = unitizingAlpha({ length: 20, coders: 3, units: [{ coder: 0, start: 0, end: 1, label: "X" }] });
    expect(r.value).toBe(0);
    expect(label(r, "X").dO).toBeCloseTo(1 / 600, 15);
  });

  it("is not computable without units (DKPro testEmptyAnnotationSet returns NaN; we give a reason)", () => {
    const r = unitizingAlpha({ length: 20, coders: 3, units: [] });
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(/no units/);
    expect(Number.isNaN(r.dO) || Number.isNaN(r.dE)).toBe(false);
  });

  it("is not computable with fewer than two coders", () => {
    const r = unitizingAlpha({ length: 20, coders: 1, units: [{ coder: 0, start: 0, end: 3, label: "X" }] });
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(/two or more coders/);
  });

  it("merges a coder's overlapping units of one label, keeps touching ones apart", () => {
    const merged = unitizingAlpha({
      length: 20,
      coders: 2,
      units: [
        { coder: 0, start: 2, end: 6, label: "X" },
        { coder: 0, start: 4, end: 9, label: "X" },
        { coder: 1, start: 2, end: 9, label: "X" },
      ],
    });
    expect(merged.value).toBe(1);
    const touching = unitizingAlpha({
      length: 20,
      coders: 2,
      units: [
        { coder: 0, start: 2, end: 6, label: "X" },
        { coder: 0, start: 6, end: 9, label: "X" },
        { coder: 1, start: 2, end: 9, label: "X" },
      ],
    });
    expect(touching.value).toBeLessThan(1);
  });
});
