/**
 * Lanes for overlapping spans: each span gets the lowest lane not used by a span it overlaps, in reading order
 * (start ascending, longer first), so an outer span sits nearest the text and nested or crossing spans stack
 * below it. Greedy colouring of an interval graph in start order is optimal: the number of lanes equals the
 * deepest overlap.
 *
 * Lanes only depend on the cluster a span belongs to (a maximal run of spans linked by overlaps), which is what
 * lets SpanIndex recompute only the clusters a change touches.
 */

export interface Interval {
  id: string;
  start: number;
  end: number;
}

/** Reading order: start ascending, then end descending (outer before inner), then id. */
export function compareIntervals(a: Interval, b: Interval): number {
  return a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Assigns lanes to spans already in reading order; writes into `out`. */
function assignLanes(sorted: readonly Interval[], out: Map<string, number>): void {
  const laneEnds: number[] = [];
  for (const s of sorted) {
    let lane = 0;
    while (lane < laneEnds.length && laneEnds[lane]! > s.start) lane++;
    laneEnds[lane] = s.end;
    out.set(s.id, lane);
  }
}

/** Lane (0 = nearest the text) of every span; spans that overlap never share a lane. */
export function layoutOverlaps(spans: readonly Interval[]): Map<string, number> {
  const lanes = new Map<string, number>();
  assignLanes([...spans].sort(compareIntervals), lanes);
  return lanes;
}

/** Index of the first element of `sorted` that is not before `item` in reading order. */
function lowerBound(sorted: readonly Interval[], item: Interval): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIntervals(sorted[mid]!, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The spans in reading order with their lanes, updated one change at a time. `apply` returns the ids whose
 * lane changed, so only their decorations need replacing.
 */
export class SpanIndex<T extends Interval = Interval> {
  private readonly sorted: T[] = [];
  private readonly byId = new Map<string, T>();
  private readonly lanes = new Map<string, number>();
  /** An upper bound on span length (never shrinks), for range queries over the start-sorted list. */
  private maxLength = 0;

  constructor(spans: Iterable<T> = []) {
    for (const s of spans) {
      this.byId.set(s.id, s);
      this.maxLength = Math.max(this.maxLength, s.end - s.start);
    }
    this.sorted.push(...this.byId.values());
    this.sorted.sort(compareIntervals);
    assignLanes(this.sorted, this.lanes);
  }

  get size(): number {
    return this.sorted.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  lane(id: string): number {
    return this.lanes.get(id) ?? 0;
  }

  /** Spans in reading order (do not mutate). */
  all(): readonly T[] {
    return this.sorted;
  }

  /**
   * Inserts, replaces (same id) or removes (`next` null) one span; returns the ids of the other spans whose
   * lane changed. Finding the touched clusters is one linear pass over numbers, with no allocation per span.
   */
  apply(id: string, next: T | null): string[] {
    const prev = this.byId.get(id);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    if (prev) {
      this.sorted.splice(lowerBound(this.sorted, prev), 1);
      this.byId.delete(id);
      this.lanes.delete(id);
      lo = prev.start;
      hi = prev.end;
    }
    if (next) {
      this.maxLength = Math.max(this.maxLength, next.end - next.start);
      this.sorted.splice(lowerBound(this.sorted, next), 0, next);
      this.byId.set(id, next);
      lo = Math.min(lo, next.start);
      hi = Math.max(hi, next.end);
    }
    if (lo >= hi) return [];
    return this.relayout(lo, hi, id);
  }

  /** Recomputes lanes of every cluster that intersects [lo, hi); returns changed ids other than `except`. */
  private relayout(lo: number, hi: number, except: string): string[] {
    const changed: string[] = [];
    const fresh = new Map<string, number>();
    let clusterStart = 0;
    let clusterEnd = Number.NEGATIVE_INFINITY;
    const flush = (from: number, to: number) => {
      // Cluster [from, to) of `sorted` spans the text range [sorted[from].start, clusterEnd).
      if (from >= to || this.sorted[from]!.start >= hi || clusterEnd <= lo) return;
      fresh.clear();
      assignLanes(this.sorted.slice(from, to), fresh);
      for (const [sid, lane] of fresh) {
        if (this.lanes.get(sid) !== lane && sid !== except) changed.push(sid);
        this.lanes.set(sid, lane);
      }
    };
    for (let i = 0; i < this.sorted.length; i++) {
      const s = this.sorted[i]!;
      if (s.start >= clusterEnd) {
        flush(clusterStart, i);
        clusterStart = i;
        clusterEnd = s.end;
        if (s.start >= hi) break;
      } else if (s.end > clusterEnd) clusterEnd = s.end;
    }
    if (clusterStart < this.sorted.length && this.sorted[clusterStart]!.start < hi) {
      flush(clusterStart, this.firstAfterCluster(clusterStart));
    }
    return changed;
  }

  /** Index just past the cluster that starts at `from`. */
  private firstAfterCluster(from: number): number {
    let end = this.sorted[from]!.end;
    let i = from + 1;
    for (; i < this.sorted.length && this.sorted[i]!.start < end; i++)
      end = Math.max(end, this.sorted[i]!.end);
    return i;
  }

  /** Spans that intersect [from, to) (start < to and end > from), in reading order. */
  overlapping(from: number, to: number): T[] {
    const out: T[] = [];
    let lo = 0;
    let hi = this.sorted.length;
    const first = from - this.maxLength;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.start < first) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sorted.length; i++) {
      const s = this.sorted[i]!;
      if (s.start >= to) break;
      if (s.end > from) out.push(s);
    }
    return out;
  }

  /** Spans that cover text offset `offset` (start ≤ offset < end), in reading order. */
  at(offset: number): T[] {
    return this.overlapping(offset, offset + 1);
  }

  /**
   * The span after (dir 1) or before (dir -1) span `currentId` in reading order; without a current span, the
   * first span starting at or after `offset` (dir 1) or the last starting before it (dir -1).
   */
  next(currentId: string | null, offset: number, dir: 1 | -1): T | null {
    if (this.sorted.length === 0) return null;
    const current = currentId ? this.byId.get(currentId) : undefined;
    if (current) return this.sorted[lowerBound(this.sorted, current) + dir] ?? null;
    if (dir > 0) {
      for (const s of this.sorted) if (s.start >= offset) return s;
      return null;
    }
    for (let i = this.sorted.length - 1; i >= 0; i--)
      if (this.sorted[i]!.start < offset) return this.sorted[i]!;
    return null;
  }
}
