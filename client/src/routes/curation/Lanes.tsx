/**
 * The lanes: the document text with, under every region that anyone annotated, one lane per annotator
 * and a gold lane, each span a band in its label's colour with the label's initial where it starts. Each
 * disagreement is a badge button at its region, named by its kind in words (never colour alone); the
 * current one is outlined and the lanes that lack it show a dashed slot.
 */
import type { LabelDto } from "@gloss/shared";
import { memo } from "react";
import { initials, userColor } from "../../collab/colors";
import type { PresenceUser } from "../../collab/useLayerConnection";
import { labelInitial, textColorOn } from "../../components/LabelBadge";
import { type DisagreementItem, kindsText, RESOLUTION_TEXT } from "./disagreements";
import { type Cell, type Lane, type Piece, type Region, segmentText } from "./lanes";

export interface LanesProps {
  text: string;
  lanes: readonly Lane[];
  pieces: readonly Piece[];
  labels: ReadonlyMap<number, LabelDto>;
  items: readonly DisagreementItem[];
  current: DisagreementItem | null;
  /** Other curators by the disagreement they are looking at. */
  curatorsAt: ReadonlyMap<string, PresenceUser[]>;
  onSelect(key: string): void;
}

/** The short tag of a lane (its owner's initials; "G" for gold). */
export const laneTag = (lane: Lane) => (lane.id === "gold" ? "G" : initials(lane.name));
const laneColor = (lane: Lane) => (lane.userId === null ? "#8a5a00" : userColor(lane.userId));

/** The lane legend and the aligned text. */
export const Lanes = memo(function Lanes(props: LanesProps) {
  const { lanes, pieces, text } = props;
  return (
    <div className="lanes">
      <ul className="lane-legend" aria-label="Lanes">
        {lanes.map((l) => (
          <li key={l.id}>
            <span className="lane-tag" style={{ background: laneColor(l) }} aria-hidden="true">
              {laneTag(l)}
            </span>
            {l.name}
            <span className="muted"> ({l.spans.length})</span>
          </li>
        ))}
      </ul>
      <div className="lane-text">
        {pieces.map((p) =>
          p.kind === "text" ? (
            <span key={`t${p.start}`} className="plain">
              {text.slice(p.start, p.end)}
            </span>
          ) : (
            <RegionView key={`r${p.region.start}`} region={p.region} {...props} />
          ),
        )}
      </div>
    </div>
  );
});

function RegionView({
  region,
  lanes,
  labels,
  items,
  current,
  curatorsAt,
  onSelect,
  text,
}: LanesProps & { region: Region }) {
  const here = items.filter((i) => i.disagreement.start >= region.start && i.disagreement.start < region.end);
  const cur = current && here.includes(current) ? current.disagreement : null;
  const missingLanes = new Set<string>(cur?.missingIn ?? []);
  return (
    <span className={`region${cur ? " current" : ""}`} data-region={`${region.start}-${region.end}`}>
      {here.length ? (
        <span className="badges">
          {here.map((i) => {
            const d = i.disagreement;
            const there = curatorsAt.get(d.key) ?? [];
            return (
              <span key={d.key} className="badge-row">
                <button
                  type="button"
                  className={`dis-badge res-${d.resolution}`}
                  data-disagreement={i.index + 1}
                  aria-pressed={current === i}
                  aria-label={`Disagreement ${i.index + 1} of ${items.length}: ${kindsText(d.kinds)}, ${RESOLUTION_TEXT[d.resolution]}`}
                  onClick={() => onSelect(d.key)}
                >
                  <span aria-hidden="true">
                    {d.resolution === "gold" ? "✓ " : d.resolution === "rejected" ? "✕ " : ""}#{i.index + 1}{" "}
                    {kindsText(d.kinds)}
                  </span>
                </button>
                {there.map((u) => (
                  <span
                    key={u.id}
                    className="curator-dot"
                    style={{ background: u.color }}
                    title={`${u.name} is looking at this`}
                  >
                    <span aria-hidden="true">{initials(u.name)}</span>
                    <span className="visually-hidden">{u.name} is looking at this</span>
                  </span>
                ))}
              </span>
            );
          })}
        </span>
      ) : null}
      <span className="seg key-col" aria-hidden="true">
        <span className="seg-text">&nbsp;</span>
        {lanes.map((l, li) => (
          <span
            key={l.id}
            className={`seg-lane${l.id === "gold" ? " lane-gold" : ""}`}
            style={{ height: `${region.tracks[li]! * TRACK_REM}rem` }}
          >
            <span className="lane-tag small" style={{ background: laneColor(l) }} title={l.name}>
              {laneTag(l)}
            </span>
          </span>
        ))}
      </span>
      {region.segments.map((seg) => {
        const inCurrent = cur !== null && seg.start >= cur.start && seg.end <= cur.end;
        return (
          <span key={seg.start} className={`seg${inCurrent ? " in-current" : ""}`}>
            <span className="seg-text">{segmentText(text.slice(seg.start, seg.end))}</span>
            {lanes.map((l, li) => (
              <span
                key={l.id}
                className={`seg-lane${l.id === "gold" ? " lane-gold" : ""}`}
                style={{ height: `${region.tracks[li]! * TRACK_REM}rem` }}
                aria-hidden="true"
              >
                {seg.cells[li]!.map((cell, t) => (
                  <CellView
                    // biome-ignore lint/suspicious/noArrayIndexKey: tracks are positions
                    key={t}
                    cell={cell}
                    lane={l}
                    label={cell ? labels.get(cell.span.label) : undefined}
                    missing={inCurrent && t === 0 && !cell && missingLanes.has(l.id)}
                  />
                ))}
              </span>
            ))}
          </span>
        );
      })}
    </span>
  );
}

/** Height of one track, in rem (the CSS of .cell matches). */
const TRACK_REM = 1.05;

function CellView({
  cell,
  lane,
  label,
  missing,
}: {
  cell: Cell | null;
  lane: Lane;
  label?: LabelDto;
  missing: boolean;
}) {
  if (!cell)
    return (
      <span
        className={`cell empty${missing ? " missing-slot" : ""}`}
        title={missing ? `missing in ${lane.name}` : undefined}
      />
    );
  const color = label?.color ?? "#777777";
  const name = label?.name ?? cell.span.labelName;
  return (
    <span
      className={`cell${cell.first ? " first" : ""}${cell.last ? " last" : ""}`}
      style={{ background: color, color: textColorOn(color) }}
      title={`${lane.name}: ${name} “${cell.span.text}”`}
      data-lane={lane.id}
      data-label={name}
    >
      {cell.first ? labelInitial(name) : ""}
    </span>
  );
}
