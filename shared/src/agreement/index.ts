/**
 * Agreement metrics (see docs/agreement.md): pure functions for each coefficient, and the one-pass
 * project computation whose result is the API's AgreementReport. Exported by name, so generic helper
 * names (ratio, Unit…) stay inside this folder.
 */
export { type CohenKappa, cohenKappa, cohenKappaFromMatrix, cohenKappaFromTable } from "./cohen";
export { compareLayers, type F1Figure, f1Figure, type SpanAgreement, spanAgreement } from "./f1";
export {
  type FleissKappa,
  type FleissSums,
  fleissKappa,
  fleissKappaFromRatings,
  fleissKappaFromSums,
} from "./fleiss";
export { alphaFromCoincidences, type KrippendorffAlpha, krippendorffAlphaNominal } from "./krippendorff";
export {
  AgreementComputation,
  type AgreementDocument,
  type AgreementSetup,
  computeAgreement,
  type DocumentFigures,
} from "./project";
export { AGREEMENT_DOCUMENT_SORTS, AgreementQuery } from "./query";
export type { AgreementReport, AgreementReportPage } from "./report";
export type { Figure } from "./result";
export { MatchScratch, type MatchTotals, matchSpans, PairTally } from "./spanMatch";
export { type LabeledSpan, type SpanSet, sortSpanSet, toSpanSet } from "./spans";
export { TokenAgreement } from "./tokenAgreement";
export { labelTokens } from "./tokenLabels";
export {
  type UnitArrays,
  UnitizingAccumulator,
  type UnitizingFigure,
  type UnitizingLabelFigure,
  unitizingAlpha,
} from "./unitizing";
