import { describe, expect, it } from "vitest";
import { cohenKappaFromTable } from "./cohen";
import vectors from "./fixtures/published-vectors.json";
import { fleissKappa, fleissKappaFromRatings } from "./fleiss";
import { krippendorffAlphaNominal } from "./krippendorff";

const close = (actual: number | null, expected: number, tol: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tol);
};

describe("published values", () => {
  it("Krippendorff 2011: nominal alpha 0.743 with missing values, D_o 0.2, D_e 0.7795", () => {
    const v = vectors.krippendorff2011;
    const a = krippendorffAlphaNominal(v.data);
    close(a.value, v.expect.nominal[0]!, v.tol[0]!);
    close(a.value, v.expect.nominal[1]!, v.tol[1]!);
    close(a.dO, v.nominal_Do_De[0]!, 1e-6);
    close(a.dE, v.nominal_Do_De[1]!, 1e-6);
    // unit 12 has a single value and is not pairable: 40 pairable values
    expect(a.pairable).toBe(40);
  });

  it("Wikipedia's Krippendorff's alpha example: nominal 0.691358", () => {
    const v = vectors.wikipediaAlpha;
    close(krippendorffAlphaNominal(v.data).value, v.expect.nominal, v.tol);
  });

  it("Fleiss 1971: kappa 0.430 (P̄ 0.5556, P_e 0.2199)", () => {
    const v = vectors.fleiss1971;
    const k = fleissKappaFromRatings(v.ratings);
    close(k.value, v.kappa, v.tol);
    close(k.pBar, v.P_bar, 5e-5);
    close(k.pE, v.P_e, 5e-5);
    expect(k.items).toBe(30);
    expect(k.ratings).toBe(180);
  });

  it("Wikipedia's Fleiss' kappa example: 0.210 (P̄ 0.378, P_e 0.213)", () => {
    const v = vectors.wikipediaFleiss;
    const k = fleissKappa(v.counts);
    close(k.value, v.kappa_float, 1e-6);
    close(k.value, v.kappa, 0.0005);
    close(k.pBar, v.P_bar, 0.0005);
    close(k.pE, v.P_e, 0.0005);
  });

  it("Cohen 1960: kappa 0.492 (p_o 0.70, p_e 0.41)", () => {
    const v = vectors.cohen1960;
    const k = cohenKappaFromTable(v.table);
    close(k.value, v.kappa, 1e-6);
    close(k.pO, v.p_o, 1e-12);
    close(k.pE, v.p_e, 1e-12);
    expect(k.items).toBe(200);
  });
});
