/**
 * Per-label bars (handwritten SVG): for each label, one horizontal bar per metric in the label's colour,
 * the metric named at the left and the value printed at the bar's end; "not computable: reason" in place
 * of a bar without a value. Metrics also differ in fill strength, so they stay apart in greyscale.
 */
import type { Figure } from "@gloss/shared";
import { labelInitial, textColorOn } from "../../../components/LabelBadge";
import { figureSentence, figureText, formatValue } from "../format";
import { barDomain, linear, truncate } from "./scale";

export interface BarRow {
  id: number;
  name: string;
  color: string;
  spans: number;
  figures: Array<{ metric: string; figure: Figure }>;
}

const LEFT = 104;
const BAR_W = 380;
const BAR_H = 16;
const GAP = 5;
const HEAD = 26;
const GROUP_GAP = 14;
/** Fill strength per metric position: full, medium, light (with an outline). */
const OPACITY = [1, 0.62, 0.32];

/** The bar chart. */
export function LabelBars({ rows }: { rows: readonly BarRow[] }) {
  const values = rows.flatMap((r) => r.figures.map((f) => f.figure.value));
  const [d0, d1] = barDomain(values);
  const x = linear(d0, d1, LEFT, LEFT + BAR_W);
  const metrics = rows[0]?.figures.length ?? 0;
  const groupH = HEAD + metrics * (BAR_H + GAP) + GROUP_GAP;
  const top = 22;
  const width = LEFT + BAR_W + 230;
  const height = top + rows.length * groupH + 8;
  const ticks = [d0, ...(d0 < 0 ? [0] : []), 0.5, 1].filter((t, i, a) => a.indexOf(t) === i);

  return (
    <svg className="chart label-bars" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>Agreement per label</title>
      <svg aria-hidden="true" className="axis" overflow="visible">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={top - 6} y2={height - 8} stroke={t === 0 ? "#9a978f" : "#e2e0dc"} />
            <text x={x(t)} y={top - 10} textAnchor="middle">
              {t === 0 || t === 1 ? String(t) : formatValue(t, 2)}
            </text>
          </g>
        ))}
      </svg>
      {rows.map((row, i) => {
        const y0 = top + i * groupH;
        return (
          <g key={row.id} className="bar-group" data-label={row.name}>
            <svg aria-hidden="true" overflow="visible">
              <rect x={0} y={y0 + 3} width={18} height={18} rx={4} fill={row.color} />
              <text
                x={9}
                y={y0 + 16}
                textAnchor="middle"
                fontSize="11"
                fontWeight="700"
                fill={textColorOn(row.color)}
              >
                {labelInitial(row.name)}
              </text>
            </svg>
            <text x={26} y={y0 + 17} className="group-title">
              {truncate(row.name, 40)}
              <tspan className="muted-text" dx={8}>
                {row.spans} span{row.spans === 1 ? "" : "s"}
              </tspan>
            </text>
            {row.figures.map(({ metric, figure }, m) => {
              const y = y0 + HEAD + m * (BAR_H + GAP);
              const v = figure.value;
              const name = `${row.name}, ${metric}: ${figureSentence(figure)}`;
              const zero = x(Math.max(0, d0));
              const end = v === null ? zero : x(v);
              return (
                <svg
                  key={metric}
                  className="bar"
                  role="img"
                  aria-label={name}
                  overflow="visible"
                  data-metric={metric}
                  data-value={v === null ? "" : String(v)}
                >
                  <title>{name}</title>
                  <text x={LEFT - 8} y={y + BAR_H - 4} textAnchor="end" className="metric-name">
                    {metric}
                  </text>
                  {v === null ? (
                    <text x={zero + 4} y={y + BAR_H - 4} className="not-computable">
                      {truncate(figureText(figure), 72)}
                    </text>
                  ) : (
                    <>
                      <rect
                        x={Math.min(zero, end)}
                        y={y}
                        width={Math.max(1.5, Math.abs(end - zero))}
                        height={BAR_H}
                        rx={2}
                        fill={row.color}
                        fillOpacity={OPACITY[m] ?? 0.3}
                        stroke={row.color}
                        strokeWidth={1}
                      />
                      <text x={Math.max(zero, end) + 6} y={y + BAR_H - 4} className="bar-value">
                        {formatValue(v)}
                      </text>
                    </>
                  )}
                </svg>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
