/**
 * The lane layout of the curation view, pure: every annotator's spans (and gold's) laid under the text
 * they cover. Text that no span touches stays plain; each region of overlapping spans is cut into
 * segments at every span boundary and after every space (so long regions still wrap like text), and each
 * segment carries, per lane and per track, the span that covers it. Nested or overlapping spans of one
 * lane get separate tracks, so nothing is ever hidden behind another span.
 * Offsets are UTF-16 code units (the view is read with `?offsets=utf16`).
 */
import type { DocumentCurationDto } from "@gloss/shared";

export interface LaneSpan {
  /** The candidate key (annotator lanes) or the gold span's signature key. */
  key: string;
  /** The span's id in its layer. */
  spanId: string;
  start: number;
  end: number;
  label: number;
  labelName: string;
  text: string;
}

export interface Lane {
  /** The layer (`user-3`) or `gold`. */
  id: string;
  name: string;
  userId: number | null;
  spans: LaneSpan[];
}

export interface Cell {
  span: LaneSpan;
  /** The span starts / ends in this segment (draw its label there, round its corners). */
  first: boolean;
  last: boolean;
}

export interface Segment {
  start: number;
  end: number;
  /** [lane][track] → the span covering the segment, or null. */
  cells: Array<Array<Cell | null>>;
}

export interface Region {
  start: number;
  end: number;
  /** Tracks per lane in this region (at least 1). */
  tracks: number[];
  segments: Segment[];
}

export type Piece = { kind: "text"; start: number; end: number } | { kind: "region"; region: Region };

/**
 * The lanes of a curation view: one per annotator, then gold. Annotators come in a fixed order (by user
 * id), so a lane's key (1 = the first lane) names the same annotator however the view's list changes.
 */
export function buildLanes(
  view: DocumentCurationDto,
  names: ReadonlyMap<number, string> = new Map(),
): Lane[] {
  const annotators = [...view.annotators].sort((a, b) => a.userId - b.userId);
  const lanes: Lane[] = annotators.map((a) => ({
    id: a.layer,
    name: names.get(a.userId) ?? a.username,
    userId: a.userId,
    spans: [],
  }));
  const byLayer = new Map(lanes.map((l) => [l.id, l]));
  for (const site of view.sites)
    for (const c of site.candidates)
      for (const who of c.annotators) {
        byLayer.get(who.layer)?.spans.push({
          key: c.key,
          spanId: who.spanId,
          start: c.start,
          end: c.end,
          label: c.label,
          labelName: c.labelName,
          text: c.text,
        });
      }
  const gold: Lane = {
    id: "gold",
    name: "Gold",
    userId: null,
    spans: view.gold.spans.map((s) => ({
      key: `s:${s.start}:${s.end}:${s.label}`,
      spanId: s.id,
      start: s.start,
      end: s.end,
      label: s.label,
      labelName: s.labelName,
      text: s.text,
    })),
  };
  for (const l of [...lanes, gold]) l.spans.sort(bySpanOrder);
  return [...lanes, gold];
}

const bySpanOrder = (a: LaneSpan, b: LaneSpan) => a.start - b.start || b.end - a.end || a.label - b.label;

/** Greedy first-fit tracks for one lane's spans inside a region: track index per span. */
function assignTracks(spans: readonly LaneSpan[]): { track: Map<LaneSpan, number>; count: number } {
  const ends: number[] = [];
  const track = new Map<LaneSpan, number>();
  for (const s of [...spans].sort(bySpanOrder)) {
    let t = ends.findIndex((e) => e <= s.start);
    if (t < 0) {
      t = ends.length;
      ends.push(s.end);
    } else ends[t] = s.end;
    track.set(s, t);
  }
  return { track, count: Math.max(1, ends.length) };
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

/** Cuts `text` into plain pieces and span regions. */
export function layoutLanes(text: string, lanes: readonly Lane[]): Piece[] {
  const all = lanes
    .flatMap((l) => l.spans)
    .filter((s) => s.end > s.start && s.start >= 0 && s.end <= text.length);
  all.sort(bySpanOrder);
  // regions: unions of overlapping spans (touching spans stay apart)
  const extents: Array<[number, number]> = [];
  for (const s of all) {
    const last = extents[extents.length - 1];
    if (last && s.start < last[1]) last[1] = Math.max(last[1], s.end);
    else extents.push([s.start, s.end]);
  }
  const pieces: Piece[] = [];
  let at = 0;
  for (const [rs, re] of extents) {
    if (rs > at) pieces.push({ kind: "text", start: at, end: rs });
    pieces.push({ kind: "region", region: buildRegion(text, lanes, rs, re) });
    at = re;
  }
  if (at < text.length) pieces.push({ kind: "text", start: at, end: text.length });
  return pieces;
}

function buildRegion(text: string, lanes: readonly Lane[], rs: number, re: number): Region {
  const inside = lanes.map((l) => l.spans.filter((s) => s.start < re && s.end > rs && s.end > s.start));
  const cuts = new Set<number>([rs, re]);
  for (const spans of inside)
    for (const s of spans) {
      cuts.add(Math.max(rs, s.start));
      cuts.add(Math.min(re, s.end));
    }
  // after each run of white space, so the region wraps between words
  for (let i = rs + 1; i < re; i++) if (isSpace(text[i - 1]) && !isSpace(text[i])) cuts.add(i);
  const points = [...cuts].sort((a, b) => a - b);
  const layouts = inside.map(assignTracks);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const cells = inside.map((spans, li) => {
      const row: Array<Cell | null> = Array.from({ length: layouts[li]!.count }, () => null);
      for (const s of spans) {
        if (s.start <= start && s.end >= end) {
          row[layouts[li]!.track.get(s)!] = { span: s, first: s.start === start, last: s.end === end };
        }
      }
      return row;
    });
    segments.push({ start, end, cells });
  }
  return { start: rs, end: re, tracks: layouts.map((l) => l.count), segments };
}

/** How a piece of text shows inside a lane column: line breaks as a visible mark (a column cannot break). */
export const segmentText = (s: string) => s.replace(/\r\n|\r|\n/g, " ⏎ ");
