/**
 * Timers that count themselves, so a test can prove that every one of them is gone once the rooms are
 * (STYLE 10: Y.Docs and timers never destroyed after the last client leaves are the classic leak).
 */
export class TimerRegistry {
  private live = 0;

  /** Number of timers currently scheduled (plus tracked foreign ones, e.g. each Awareness' interval). */
  get size(): number {
    return this.live;
  }

  /** Runs `fn` once after `ms`; returns an idempotent cancel function. */
  after(ms: number, fn: () => void): () => void {
    let active = true;
    this.live++;
    const handle = setTimeout(() => {
      if (!active) return;
      active = false;
      this.live--;
      fn();
    }, ms);
    return () => {
      if (!active) return;
      active = false;
      this.live--;
      clearTimeout(handle);
    };
  }

  /** Runs `fn` in the check phase of this loop iteration; returns an idempotent cancel function. */
  soon(fn: () => void): () => void {
    let active = true;
    this.live++;
    const handle = setImmediate(() => {
      if (!active) return;
      active = false;
      this.live--;
      fn();
    });
    return () => {
      if (!active) return;
      active = false;
      this.live--;
      clearImmediate(handle);
    };
  }

  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): () => void {
    let active = true;
    this.live++;
    const handle = setInterval(fn, ms);
    return () => {
      if (!active) return;
      active = false;
      this.live--;
      clearInterval(handle);
    };
  }

  /** Counts a timer owned by someone else (an Awareness interval) until `release` is called. */
  track(): () => void {
    let active = true;
    this.live++;
    return () => {
      if (!active) return;
      active = false;
      this.live--;
    };
  }
}
