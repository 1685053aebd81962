/** A seeded, reproducible shuffle for train/validation/test splits (the same seed gives the same split). */

/** mulberry32: a small, fast 32-bit PRNG; deterministic across platforms. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sorts (so the input order does not matter), then Fisher–Yates shuffles with `seed`. */
function seededShuffle<T>(ids: readonly T[], seed: number, compare: (a: T, b: T) => number): T[] {
  const order = [...ids].sort(compare);
  const rnd = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Assigns each id to a split: Fisher–Yates shuffle with `seed`, then the first round(n·r0) to split 0, the
 * next round(n·r1) to split 1, the rest to split 2. Ratios are normalised to sum 1.
 */
export function splitIds(
  ids: readonly number[],
  ratios: readonly number[],
  seed: number,
): Map<number, number> {
  const order = seededShuffle(ids, seed, (a, b) => a - b);
  const sum = ratios.reduce((a, b) => a + b, 0) || 1;
  const n = order.length;
  const cut1 = Math.round((n * (ratios[0] ?? 0)) / sum);
  const cut2 = Math.min(n, cut1 + Math.round((n * (ratios[1] ?? 0)) / sum));
  const out = new Map<number, number>();
  for (const [i, id] of order.entries()) out.set(id, i < cut1 ? 0 : i < cut2 ? 1 : 2);
  return out;
}

/**
 * Like `splitIds`, but no split with a ratio above 0 is left empty while there are enough ids: a split the
 * rounding left empty takes one id from the largest split (the ids stay in their shuffled order). Returns
 * the assignment and the splits still empty (fewer ids than wanted splits), by index.
 */
export function splitIdsAtLeastOne<T>(
  ids: readonly T[],
  ratios: readonly number[],
  seed: number,
  compare: (a: T, b: T) => number,
): { assignment: Map<T, number>; adjusted: boolean; empty: number[] } {
  const order = seededShuffle(ids, seed, compare);
  const sum = ratios.reduce((a, b) => a + b, 0) || 1;
  const n = order.length;
  const c0 = Math.round((n * (ratios[0] ?? 0)) / sum);
  const c1 = Math.min(n - c0, Math.round((n * (ratios[1] ?? 0)) / sum));
  const counts = [c0, c1, n - c0 - c1];
  let adjusted = false;
  for (let s = 0; s < 3; s++) {
    if (counts[s]! > 0 || !((ratios[s] ?? 0) > 0)) continue;
    let from = -1;
    for (let t = 0; t < 3; t++) if (counts[t]! > 1 && (from < 0 || counts[t]! > counts[from]!)) from = t;
    if (from < 0) continue; // too few ids for every split
    counts[from]!--;
    counts[s]!++;
    adjusted = true;
  }
  const out = new Map<T, number>();
  let i = 0;
  for (let s = 0; s < 3; s++) for (let k = 0; k < counts[s]!; k++) out.set(order[i++]!, s);
  const empty = [0, 1, 2].filter((s) => counts[s] === 0 && (ratios[s] ?? 0) > 0);
  return { assignment: out, adjusted, empty };
}
