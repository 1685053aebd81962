import { Categories } from "./categories";
import { chanceCorrected, type Figure, notComputable } from "./result";

/** Krippendorff's alpha with the disagreements and counts it stands on. */
export interface KrippendorffAlpha extends Figure {
  /** Observed disagreement D_o = Σ_{c≠k} o_ck / n. */
  dO: number | null;
  /** Expected disagreement D_e = Σ_{c≠k} n_c n_k / (n(n − 1)). */
  dE: number | null;
  /** Pairable values n (values in units coded by two or more coders). */
  pairable: number;
}

/**
 * Nominal alpha from a k × k coincidence matrix o (row-major): o_ck = Σ_u (number of ordered pairs of
 * values (c, k) from different coders in unit u) / (m_u − 1), over units with m_u ≥ 2 values.
 * α = 1 − D_o / D_e with n_c = Σ_k o_ck, n = Σ_c n_c (Krippendorff 2011, "Computing Krippendorff's
 * alpha-reliability", the general form that allows missing values).
 */
export function alphaFromCoincidences(o: ArrayLike<number>, k: number): KrippendorffAlpha {
  const nc = new Float64Array(k);
  let n = 0;
  let off = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      const v = o[c * k + d]!;
      nc[c]! += v;
      if (c !== d) off += v;
    }
    n += nc[c]!;
  }
  // Coincidences are sums of 1/(m_u − 1) weights: round so that 39.999999999 pairable values count as 40.
  const pairable = Math.round(n * 1e9) / 1e9;
  if (pairable < 2)
    return notComputable("fewer than two pairable values (no unit was coded by two or more coders)", {
      dO: null,
      dE: null,
      pairable,
    });
  let expected = 0;
  for (let c = 0; c < k; c++) expected += nc[c]! * (n - nc[c]!);
  const dO = off / n;
  const dE = expected / (n * (n - 1));
  return chanceCorrected(
    dO,
    dE,
    { dO, dE, pairable },
    "no variation: every pairable value is the same category (expected disagreement 0)",
  );
}

/**
 * Krippendorff's alpha for nominal data with missing values. `data` is coders × units (a row per coder,
 * as in Krippendorff 2011's reliability data matrix); null or undefined is a missing value.
 */
export function krippendorffAlphaNominal<T>(
  data: readonly (readonly (T | null | undefined)[])[],
): KrippendorffAlpha {
  const units = data.reduce((m, row) => Math.max(m, row.length), 0);
  const index = new Categories<T>();
  const perUnit: number[][] = [];
  for (let u = 0; u < units; u++) {
    const values: number[] = [];
    for (const row of data) {
      const v = row[u];
      if (v == null) continue;
      values.push(index.of(v));
    }
    perUnit.push(values);
  }
  const k = index.size;
  const o = new Float64Array(k * k);
  for (const values of perUnit) {
    const m = values.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) if (i !== j) o[values[i]! * k + values[j]!]! += 1 / (m - 1);
  }
  if (k === 0) return notComputable("no values", { dO: null, dE: null, pairable: 0 });
  return alphaFromCoincidences(o, k);
}
