/**
 * The overall figures: one card per coefficient with its value (or "not computable: reason"), a small
 * meter on the −1…1 / 0…1 scale and the counts it stands on.
 */
import type { AgreementReport, Figure } from "@gloss/shared";
import { valueColor } from "./charts/scale";
import { figureCounts, figureText, formatValue } from "./format";

interface Card {
  key: string;
  title: string;
  hint: string;
  figure: Figure;
  /** Chance-corrected coefficients run from −1; F1 from 0. */
  min: number;
}

/** The cards of a report, in reading order. */
export function overallCards(o: AgreementReport["overall"]): Card[] {
  return [
    {
      key: "f1Exact",
      title: "F1, exact match",
      hint: "same boundaries and label, pooled over pairs",
      figure: o.f1Exact,
      min: 0,
    },
    {
      key: "f1Overlap",
      title: "F1, overlap match",
      hint: "overlapping spans with the same label",
      figure: o.f1Overlap,
      min: 0,
    },
    {
      key: "macroF1Exact",
      title: "Macro F1, exact",
      hint: "mean of the per-label F1",
      figure: o.macroF1Exact,
      min: 0,
    },
    {
      key: "cohenKappa",
      title: "Cohen's κ",
      hint: "token labels, mean over pairs",
      figure: o.cohenKappa,
      min: -1,
    },
    {
      key: "fleissKappa",
      title: "Fleiss' κ",
      hint: "token labels, all annotators",
      figure: o.fleissKappa,
      min: -1,
    },
    {
      key: "krippendorffAlpha",
      title: "Krippendorff's α",
      hint: "token labels, nominal",
      figure: o.krippendorffAlpha,
      min: -1,
    },
    {
      key: "unitizingAlpha",
      title: "Unitizing α (α_U)",
      hint: "character continuum, all labels",
      figure: o.unitizingAlpha,
      min: -1,
    },
  ];
}

function Meter({ value, min }: { value: number | null; min: number }) {
  const w = 132;
  const x = (v: number) => ((Math.max(min, Math.min(1, v)) - min) / (1 - min)) * w;
  return (
    <svg className="meter" width={w} height={10} aria-hidden="true">
      <rect width={w} height={10} rx={5} fill="#efeeea" />
      {value !== null ? (
        <rect width={Math.max(3, x(value))} height={10} rx={5} fill={valueColor(value)} stroke="#9cc0e0" />
      ) : null}
      {min < 0 ? <line x1={x(0)} x2={x(0)} y1={0} y2={10} stroke="#9a978f" /> : null}
    </svg>
  );
}

/** The overall section. */
export function OverallFigures({ report }: { report: AgreementReport }) {
  const o = report.overall;
  return (
    <section aria-labelledby="overall-title" className="agreement-section">
      <h2 id="overall-title">Overall</h2>
      <p className="meta">
        <span>
          {o.documents.compared} of {o.documents.total} documents compared
          {o.documents.singleCoder ? ` (${o.documents.singleCoder} with one annotator only)` : ""}
        </span>
        <span>{o.tokens} tokens</span>
        <span>{o.spans} spans</span>
        <span>
          {report.options.minIou > 0
            ? `overlap: IoU ≥ ${formatValue(report.options.minIou, 2)}`
            : "overlap: any"}
        </span>
      </p>
      <ul className="figure-cards">
        {overallCards(o).map((c) => (
          <li key={c.key} className="figure-card" data-figure={c.key}>
            <h3>{c.title}</h3>
            {c.figure.value === null ? (
              <p className="figure-null">{figureText(c.figure)}</p>
            ) : (
              <p className="figure-value">{formatValue(c.figure.value)}</p>
            )}
            <Meter value={c.figure.value} min={c.min} />
            <p className="hint">{c.hint}</p>
            {figureCounts(c.figure).length ? (
              <p className="figure-counts">{figureCounts(c.figure).join(" · ")}</p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
