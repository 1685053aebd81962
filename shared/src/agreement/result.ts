/**
 * Every agreement figure is a number or an explicit "not computable" with the reason, never NaN or
 * Infinity: a reader (or a chart) can always tell "no agreement" (0 or below) from "nothing to measure".
 */
export interface Figure {
  /** The coefficient, or null when it is not computable. */
  value: number | null;
  /** Why `value` is null (absent when there is a value). */
  reason?: string;
}

/** A figure with a value. */
export const computed = <T extends object>(value: number, extra: T): Figure & T => ({ value, ...extra });

/** A figure without a value, with the reason. */
export const notComputable = <T extends object>(reason: string, extra: T): Figure & T => ({
  value: null,
  reason,
  ...extra,
});

/** `num / den`, or null when the denominator is 0 (or the result is not finite). */
export function ratio(num: number, den: number): number | null {
  if (den === 0) return null;
  const r = num / den;
  return Number.isFinite(r) ? r : null;
}

/**
 * Chance-corrected agreement 1 - observed/expected (or (pO - pE)/(1 - pE), the same thing in agreement
 * terms). Not computable when nothing varies (expected disagreement 0): with no variation there is no
 * chance baseline to correct against, so "perfect" and "meaningless" cannot be told apart.
 */
export function chanceCorrected<T extends object>(
  observedDisagreement: number,
  expectedDisagreement: number,
  extra: T,
  noVariation = "no variation: every value is the same, so chance agreement is 1 and the coefficient is undefined",
): Figure & T {
  if (!(expectedDisagreement > 0)) return notComputable(noVariation, extra);
  // Equal disagreements mean "exactly chance", even when floating point leaves a 1e-17 residue.
  if (Math.abs(observedDisagreement - expectedDisagreement) <= 1e-12 * expectedDisagreement)
    return computed(0, extra);
  return computed(1 - observedDisagreement / expectedDisagreement, extra);
}
