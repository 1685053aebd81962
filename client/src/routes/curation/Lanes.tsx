/**
 * The lanes: the document text with, under every region that anyone annotated, one lane per annotator
 * and a gold lane, each span a band in its label's colour with the label's initial where it starts. Each
 * disagreement is a badge button at its region, named by its kind in words (never colour alone); the
 * current one is outlined and the lanes that lack it show a dashed slot. The legend gives each annotator
 * lane its key (1–9: accept that lane's version). Selecting text (plain or in a region) offers it as the
 * curator's own version, snapped to words as the annotation editor does (Alt: the exact characters).
 */
import type { LabelDto } from "@gloss/shared";
import { memo, useRef } from "react";
import { initials, userColor } from "../../collab/colors";
import type { PresenceUser } from "../../collab/useLayerConnection";
import { labelInitial, textColorOn } from "../../components/LabelBadge";
import type { TextRange } from "../../editor/snapping";
import { cx } from "./cx";
import { type DisagreementItem, kindsText, RESOLUTION_TEXT } from "./disagreements";
import styles from "./Lanes.module.css";
import { type Cell, type Lane, type Piece, type Region, segmentText } from "./lanes";
import { snappedSelection } from "./textSelection";

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
  /** Text selected in the lanes, snapped (UTF-16 offsets). */
  onSelectText(range: TextRange): void;
}

/** The short tag of a lane (its owner's initials; "G" for gold). */
export const laneTag = (lane: Lane) => (lane.id === "gold" ? "G" : initials(lane.name));
const laneColor = (lane: Lane) => (lane.userId === null ? "#8a5a00" : userColor(lane.userId));

/** The key (1–9) of an annotator lane, by its position; gold and lanes past the ninth have none. */
export const laneKey = (lane: Lane, index: number) =>
  lane.id !== "gold" && index < 9 ? String(index + 1) : null;

/** The attributes that let a selection be read back as document offsets (textSelection.ts). */
const textAttrs = (start: number, end: number, shown: string) => ({
  "data-text-start": start,
  "data-text-end": end,
  "data-text-shown": shown,
});

/** The lane legend and the aligned text. */
export const Lanes = memo(function Lanes(props: LanesProps) {
  const { lanes, pieces, text, onSelectText } = props;
  const textRef = useRef<HTMLDivElement>(null);
  return (
    <div>
      <ul className={styles.legend} aria-label="Lanes">
        {lanes.map((l, i) => {
          const key = laneKey(l, i);
          return (
            <li key={l.id} data-lane-legend={l.id}>
              {key ? (
                <kbd className={styles.laneKey} title={`Key ${key} accepts ${l.name}'s version`}>
                  {key}
                </kbd>
              ) : null}
              <span className={styles.laneTag} style={{ background: laneColor(l) }} aria-hidden="true">
                {laneTag(l)}
              </span>
              {l.name}
              <span className="muted"> ({l.spans.length})</span>
            </li>
          );
        })}
      </ul>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a mouse selection; the typed boundaries are the keyboard's way */}
      <div
        ref={textRef}
        className={styles.text}
        onMouseUp={(e) => {
          const root = textRef.current;
          if (!root) return;
          const sel = window.getSelection();
          const range = snappedSelection(root, text, sel, e.altKey);
          if (!range) return;
          // the form shows what was taken; a selection left behind would be dragged by the next press in it
          sel?.removeAllRanges();
          onSelectText(range);
        }}
        // text is selected here, never dragged away
        onDragStart={(e) => e.preventDefault()}
      >
        {pieces.map((p) =>
          p.kind === "text" ? (
            <span key={`t${p.start}`} {...textAttrs(p.start, p.end, "plain")}>
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
    <span className={cx(styles.region, cur && styles.current)} data-region={`${region.start}-${region.end}`}>
      {here.length ? (
        <span className={styles.badges}>
          {here.map((i) => {
            const d = i.disagreement;
            const there = curatorsAt.get(d.key) ?? [];
            return (
              <span key={d.key} className={styles.badgeRow} data-badges-of={i.index + 1}>
                <button
                  type="button"
                  className={cx(
                    styles.disBadge,
                    d.resolution === "gold" && styles.resGold,
                    d.resolution === "rejected" && styles.resRejected,
                  )}
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
                    className={styles.curatorDot}
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
      <span className={cx(styles.seg, styles.keyCol)} aria-hidden="true">
        <span className={styles.segText}>&nbsp;</span>
        {lanes.map((l, li) => (
          <span
            key={l.id}
            className={cx(styles.lane, l.id === "gold" && styles.gold)}
            style={{ height: `${region.tracks[li]! * TRACK_REM}rem` }}
          >
            <span
              className={cx(styles.laneTag, styles.small)}
              style={{ background: laneColor(l) }}
              title={l.name}
            >
              {laneTag(l)}
            </span>
          </span>
        ))}
      </span>
      {region.segments.map((seg) => {
        const inCurrent = cur !== null && seg.start >= cur.start && seg.end <= cur.end;
        const piece = text.slice(seg.start, seg.end);
        const shown = segmentText(piece);
        return (
          <span key={seg.start} className={cx(styles.seg, inCurrent && styles.inCurrent)}>
            <span
              className={styles.segText}
              {...textAttrs(seg.start, seg.end, shown === piece ? "plain" : "segment")}
            >
              {shown}
            </span>
            {lanes.map((l, li) => (
              <span
                key={l.id}
                className={cx(styles.lane, l.id === "gold" && styles.gold)}
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

/** Height of one track, in rem (the CSS of .cell matches: its height and margins). */
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
        className={cx(styles.cell, missing && styles.missingSlot)}
        title={missing ? `missing in ${lane.name}` : undefined}
        data-missing={missing ? lane.id : undefined}
      />
    );
  const color = label?.color ?? "#777777";
  const name = label?.name ?? cell.span.labelName;
  return (
    <span
      className={cx(styles.cell, styles.filled, cell.first && styles.first, cell.last && styles.last)}
      style={{ background: color, color: textColorOn(color) }}
      title={`${lane.name}: ${name} “${cell.span.text}”`}
      data-lane={lane.id}
      data-label={name}
      data-span={cell.span.spanId}
      data-first={cell.first ? "" : undefined}
      data-text={cell.first ? cell.span.text : undefined}
    >
      {cell.first ? labelInitial(name) : ""}
    </span>
  );
}
