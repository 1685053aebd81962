/** Test helpers: build AgreementDocuments from plain spans, and walk a report for bad numbers. */
import type { AgreementDocument, AgreementSetup } from "./project";
import { type LabeledSpan, toSpanSet } from "./spans";

/** A setup with `labels` labels named L1… and `coders` layers user-1…. */
export function setupFor(labels: number, coders: number, minIou = 0): AgreementSetup {
  return {
    projectId: 1,
    labels: Array.from({ length: labels }, (_, i) => ({ id: 100 + i, name: `L${i + 1}` })),
    coders: Array.from({ length: coders }, (_, i) => ({
      layer: `user-${i + 1}`,
      userId: i + 1,
      username: `u${i + 1}`,
    })),
    minIou,
    documentFilter: null,
  };
}

/** A document whose layers are given as span lists (null: the coder did not take part). */
export function doc(id: number, text: string, layers: Array<LabeledSpan[] | null>): AgreementDocument {
  return { id, name: `doc${id}`, text, layers: layers.map((l) => (l ? toSpanSet(l) : null)) };
}

/** Paths of every number in `value` that is NaN or infinite, and of every null `value` without a reason. */
export function badNumbers(value: unknown, path = "$"): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => badNumbers(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const own =
      "value" in o && o.value === null && typeof o.reason !== "string"
        ? [`${path} (null without reason)`]
        : [];
    return [...own, ...Object.entries(o).flatMap(([k, v]) => badNumbers(v, `${path}.${k}`))];
  }
  return [];
}
