/**
 * A heat map of annotator pairs (handwritten SVG): one cell per ordered pair, coloured by the chosen
 * coefficient, with the value printed in the cell and an accessible name and tooltip giving the counts.
 * The matrix is symmetric (the pairwise figures are), the diagonal is left blank.
 */
import type { Figure } from "@gloss/shared";
import { useId } from "react";
import { figureSentence, formatValue } from "../format";
import { NULL_COLOR, truncate, valueColor, valueTextColor } from "./scale";

export interface HeatLayer {
  layer: string;
  name: string;
}

export interface PairHeatMapProps {
  layers: readonly HeatLayer[];
  /** The figure of a pair (either order), or undefined when the pair was not compared. */
  figureOf(a: string, b: string): Figure | undefined;
  /** The metric's name, for names and tooltips ("F1 exact"). */
  metric: string;
}

const CELL = 76;
const TOP = 96;
const LEGEND_H = 56;

/** The heat map. */
export function PairHeatMap({ layers, figureOf, metric }: PairHeatMapProps) {
  // useId's characters (colons, guillemets) do not survive inside url(#…)
  const ids = `heat${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const hatch = `${ids}-hatch`;
  const ramp = `${ids}-ramp`;
  const left = Math.min(190, 24 + Math.max(4, ...layers.map((l) => Array.from(l.name).length)) * 7.4);
  const n = layers.length;
  const width = Math.max(left + n * CELL + 12, left + 380);
  const height = TOP + n * CELL + LEGEND_H;
  return (
    <svg className="chart heat-map" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>{metric} for each pair of annotators</title>
      <defs>
        <pattern id={hatch} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill={NULL_COLOR} />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#c9c6c0" strokeWidth="2" />
        </pattern>
        <linearGradient id={ramp}>
          {[0, 0.25, 0.5, 0.75, 1].map((t) => (
            <stop key={t} offset={`${t * 100}%`} stopColor={valueColor(t)} />
          ))}
        </linearGradient>
      </defs>
      {/* axis names are decoration: every cell names its pair */}
      <svg aria-hidden="true" overflow="visible">
        {layers.map((l, i) => (
          <text
            key={`c-${l.layer}`}
            className="axis-label"
            transform={`translate(${left + i * CELL + CELL / 2 - 4}, ${TOP - 8}) rotate(-35)`}
          >
            {truncate(l.name, 16)}
          </text>
        ))}
        {layers.map((row, r) => (
          <text
            key={`r-${row.layer}`}
            className="axis-label"
            x={left - 10}
            y={TOP + r * CELL + CELL / 2 + 4}
            textAnchor="end"
          >
            {truncate(row.name, 22)}
          </text>
        ))}
        {layers.map((l, i) => (
          <rect
            key={`d-${l.layer}`}
            x={left + i * CELL + 1}
            y={TOP + i * CELL + 1}
            width={CELL - 2}
            height={CELL - 2}
            rx={4}
            fill="#f6f5f2"
          />
        ))}
      </svg>
      {layers.flatMap((row, r) =>
        layers.map((col, c) => {
          if (r === c) return null;
          const x = left + c * CELL;
          const y = TOP + r * CELL;
          const f = figureOf(row.layer, col.layer);
          const v = f?.value ?? null;
          const sentence = f ? figureSentence(f) : "not compared";
          const name = `${row.name} and ${col.name}: ${metric} ${sentence}`;
          return (
            <svg
              key={`${row.layer}\u0000${col.layer}`}
              className="heat-cell"
              role="img"
              aria-label={name}
              overflow="visible"
              data-a={row.layer}
              data-b={col.layer}
              data-value={v === null ? "" : String(v)}
            >
              <title>{name}</title>
              <rect
                x={x + 1}
                y={y + 1}
                width={CELL - 2}
                height={CELL - 2}
                rx={4}
                fill={v === null ? `url(#${hatch})` : valueColor(v)}
                stroke={v === null ? "#c9c6c0" : "none"}
              />
              <text
                className="cell-value"
                x={x + CELL / 2}
                y={y + CELL / 2 + 5}
                textAnchor="middle"
                fill={v === null ? "#5f6368" : valueTextColor(v)}
              >
                {v === null ? "n/a" : formatValue(v)}
              </text>
            </svg>
          );
        }),
      )}
      <Legend x={left} y={TOP + n * CELL + 18} hatch={hatch} ramp={ramp} />
    </svg>
  );
}

function Legend({ x, y, hatch, ramp }: { x: number; y: number; hatch: string; ramp: string }) {
  const w = 150;
  return (
    <svg className="legend" aria-hidden="true" overflow="visible">
      <rect x={x} y={y} width={w} height={12} fill={`url(#${ramp})`} rx={2} />
      <text x={x} y={y + 28}>
        0
      </text>
      <text x={x + w / 2} y={y + 28} textAnchor="middle">
        0.5
      </text>
      <text x={x + w} y={y + 28} textAnchor="end">
        1
      </text>
      <rect x={x + w + 18} y={y} width={12} height={12} fill={valueColor(-1)} rx={2} />
      <text x={x + w + 34} y={y + 11}>
        below 0
      </text>
      <rect x={x + w + 98} y={y} width={12} height={12} fill={`url(#${hatch})`} stroke="#c9c6c0" rx={2} />
      <text x={x + w + 114} y={y + 11}>
        not computable
      </text>
    </svg>
  );
}
