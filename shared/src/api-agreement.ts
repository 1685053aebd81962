/**
 * The response of GET /projects/:id/agreement as a zod schema: the OpenAPI document is generated from it
 * and the route's handler is type-checked against it, so the computed AgreementReport
 * (agreement/report.ts, which docs/agreement.md explains figure by figure) cannot drift from the contract.
 */
import { z } from "zod";

/** A figure: a number, or null with the reason it is not computable (never NaN or Infinity). */
const figure = <T extends z.ZodRawShape>(extra: T) =>
  z.object({ value: z.number().nullable(), reason: z.string().optional(), ...extra });
const n = z.number();
const maybe = z.number().nullable();

const F1Figure = figure({ tp: n, fp: n, fn: n, precision: maybe, recall: maybe }).meta({ id: "F1Figure" });
const CohenKappa = figure({ pO: maybe, pE: maybe, items: n }).meta({ id: "CohenKappa" });
const FleissKappa = figure({ pBar: maybe, pE: maybe, items: n, ratings: n }).meta({ id: "FleissKappa" });
const KrippendorffAlpha = figure({ dO: maybe, dE: maybe, pairable: n }).meta({ id: "KrippendorffAlpha" });
const macroF1 = figure({ labels: n });

export const AgreementReportDto = z
  .object({
    projectId: n,
    options: z.object({
      minIou: n,
      labels: z.array(n),
      documents: z.array(n).nullable(),
      layers: z.array(z.string()),
    }),
    annotators: z.array(
      z.object({
        layer: z.string(),
        userId: maybe,
        username: z.string().nullable(),
        spans: n,
        documents: n,
      }),
    ),
    labels: z.array(z.object({ id: n, name: z.string() })),
    overall: z.object({
      documents: z.object({ total: n, compared: n, singleCoder: n }),
      tokens: n,
      spans: n,
      f1Exact: F1Figure,
      f1Overlap: F1Figure,
      macroF1Exact: macroF1,
      macroF1Overlap: macroF1,
      cohenKappa: figure({ pairs: n }),
      fleissKappa: FleissKappa,
      krippendorffAlpha: KrippendorffAlpha,
      unitizingAlpha: figure({ dO: n, dE: n, continuum: n }),
    }),
    perLabel: z.array(
      z.object({
        id: n,
        name: z.string(),
        spans: n,
        f1Exact: F1Figure,
        f1Overlap: F1Figure,
        unitizingAlpha: figure({ dO: n, dE: n, units: n }),
      }),
    ),
    /** Compared documents matching `q` (every page of `perDocument`). */
    total: n,
    /** A page of the compared documents, most disputed first unless `sort` says otherwise. */
    perDocument: z.array(
      z.object({
        documentId: n,
        name: z.string(),
        annotators: n,
        spans: n,
        tokens: n,
        f1Exact: F1Figure,
        f1Overlap: F1Figure,
        krippendorffAlpha: KrippendorffAlpha,
        disagreement: n,
      }),
    ),
    perPair: z.array(
      z.object({
        a: z.string(),
        b: z.string(),
        aUserId: maybe,
        bUserId: maybe,
        documents: n,
        f1Exact: F1Figure,
        f1Overlap: F1Figure,
        macroF1Exact: macroF1,
        macroF1Overlap: macroF1,
        cohenKappa: CohenKappa,
        krippendorffAlpha: KrippendorffAlpha,
        labelMismatches: n,
      }),
    ),
    confusion: z.object({
      labels: z.array(z.object({ id: maybe, name: z.string() })),
      counts: z.array(z.array(n)),
      top: z.array(z.object({ a: z.string(), b: z.string(), count: n })),
    }),
    elapsedMs: n,
    /** Stored rows left out of every figure as unsound, by reason, and the rooms they came from. */
    skippedRows: z.object({
      total: n,
      byReason: z.record(z.string(), n),
      rooms: z.array(z.string()),
    }),
  })
  .meta({ id: "AgreementReport" });
