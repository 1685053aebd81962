import { Categories } from "./categories";
import { chanceCorrected, type Figure, notComputable } from "./result";

/** Fleiss' kappa with the quantities it stands on. */
export interface FleissKappa extends Figure {
  /** Mean per-item agreement P̄. */
  pBar: number | null;
  /** Chance agreement P_e = Σ_j p_j². */
  pE: number | null;
  /** Items with at least two ratings (the others cannot show agreement and are left out). */
  items: number;
  /** Ratings on those items. */
  ratings: number;
}

/**
 * Running sums for Fleiss' kappa, so a caller can feed millions of items without building a table.
 * `addItem` takes the number of ordered agreeing rater pairs Σ_j n_ij(n_ij − 1) and the item's raters n_i.
 */
export interface FleissSums {
  /** Σ_i P_i with P_i = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1)). */
  sumP: number;
  items: number;
  /** Ratings per category over the counted items. */
  categoryTotals: Float64Array;
}

/** Fleiss' kappa from running sums (see `FleissSums`). */
export function fleissKappaFromSums(s: FleissSums): FleissKappa {
  let ratings = 0;
  for (const t of s.categoryTotals) ratings += t;
  if (s.items === 0 || ratings === 0)
    return notComputable("no item was rated by two or more coders", {
      pBar: null,
      pE: null,
      items: 0,
      ratings: 0,
    });
  let pE = 0;
  for (const t of s.categoryTotals) pE += (t / ratings) ** 2;
  const pBar = s.sumP / s.items;
  return chanceCorrected(
    1 - pBar,
    1 - pE,
    { pBar, pE, items: s.items, ratings },
    "no variation: every rating is the same category (chance agreement 1)",
  );
}

/**
 * Fleiss' kappa (Fleiss 1971) from an items × categories table of counts n_ij (how many raters put item i
 * in category j): κ = (P̄ − P_e) / (1 − P_e), P_i = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1)), P̄ the mean of
 * P_i, p_j = Σ_i n_ij / Σ_i n_i, P_e = Σ_j p_j². Items may have different numbers of raters n_i (the
 * usual extension; equal to Fleiss 1971 when every n_i is the same); items with n_i < 2 are left out.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): FleissKappa {
  const k = counts.reduce((m, row) => Math.max(m, row.length), 0);
  const sums: FleissSums = { sumP: 0, items: 0, categoryTotals: new Float64Array(k) };
  for (const row of counts) {
    let n = 0;
    let agreeing = 0;
    for (const c of row) {
      n += c;
      agreeing += c * (c - 1);
    }
    if (n < 2) continue;
    sums.sumP += agreeing / (n * (n - 1));
    sums.items++;
    row.forEach((c, j) => {
      sums.categoryTotals[j]! += c;
    });
  }
  return fleissKappaFromSums(sums);
}

/** Fleiss' kappa from an items × raters table of category values (null = missing rating). */
export function fleissKappaFromRatings<T>(ratings: readonly (readonly (T | null | undefined)[])[]) {
  const index = new Categories<T>();
  const rows = ratings.map((item) => {
    const row: number[] = [];
    for (const v of item) {
      if (v == null) continue;
      const j = index.of(v);
      row[j] = (row[j] ?? 0) + 1;
    }
    return row;
  });
  return fleissKappa(rows.map((row) => Array.from({ length: index.size }, (_, j) => row[j] ?? 0)));
}
