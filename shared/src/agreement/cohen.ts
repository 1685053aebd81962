import { Categories } from "./categories";
import { chanceCorrected, type Figure, notComputable } from "./result";

/** Cohen's kappa with the proportions it stands on. */
export interface CohenKappa extends Figure {
  /** Observed agreement: share of items on which both coders chose the same category. */
  pO: number | null;
  /** Chance agreement: Σ_k (row share of k) × (column share of k). */
  pE: number | null;
  /** Items rated by both coders. */
  items: number;
}

/**
 * Cohen's kappa (Cohen 1960) from a k × k contingency table stored row-major in `table`
 * (rows: coder A's category, columns: coder B's): κ = (pO − pE) / (1 − pE).
 */
export function cohenKappaFromMatrix(table: ArrayLike<number>, k: number): CohenKappa {
  let n = 0;
  let agree = 0;
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) n += table[r * k + c]!;
    agree += table[r * k + r]!;
  }
  if (n === 0) return notComputable("no items rated by both coders", { pO: null, pE: null, items: 0 });
  let pE = 0;
  for (let r = 0; r < k; r++) {
    let row = 0;
    let col = 0;
    for (let c = 0; c < k; c++) {
      row += table[r * k + c]!;
      col += table[c * k + r]!;
    }
    pE += (row / n) * (col / n);
  }
  const pO = agree / n;
  return chanceCorrected(
    1 - pO,
    1 - pE,
    { pO, pE, items: n },
    "no variation: both coders used one and the same category for every item (chance agreement 1)",
  );
}

/** Cohen's kappa from a square contingency table given as rows (e.g. Cohen 1960's 3 × 3 example). */
export function cohenKappaFromTable(table: readonly (readonly number[])[]): CohenKappa {
  const k = table.length;
  const flat = new Float64Array(k * k);
  table.forEach((row, r) => {
    if (row.length !== k) throw new RangeError(`row ${r} has ${row.length} cells, expected ${k}`);
    row.forEach((v, c) => {
      flat[r * k + c] = v;
    });
  });
  return cohenKappaFromMatrix(flat, k);
}

/**
 * Cohen's kappa of two coders' parallel ratings; an item where either rating is null or undefined
 * (missing) is left out.
 */
export function cohenKappa<T>(a: readonly (T | null | undefined)[], b: readonly (T | null | undefined)[]) {
  if (a.length !== b.length) throw new RangeError(`coders rated ${a.length} and ${b.length} items`);
  const index = new Categories<T>();
  const pairs: Array<[number, number]> = [];
  a.forEach((va, i) => {
    const vb = b[i];
    if (va == null || vb == null) return;
    pairs.push([index.of(va), index.of(vb)]);
  });
  const k = index.size;
  const flat = new Float64Array(k * k);
  for (const [r, c] of pairs) flat[r * k + c]! += 1;
  return cohenKappaFromMatrix(flat, k);
}
