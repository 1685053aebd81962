/** An append-only Float64Array that doubles when full: collects millions of numbers without boxing them. */
export class GrowableFloat64 {
  data: Float64Array;
  length = 0;

  constructor(capacity = 64) {
    this.data = new Float64Array(capacity);
  }

  /** Appends one value. */
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  /** A view of the values pushed so far. */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** An Int32Array of at least `n` elements: `current` when it is big enough, a new one otherwise. */
export function ensureInt32(current: Int32Array, n: number): Int32Array {
  return current.length >= n ? current : new Int32Array(Math.max(n, current.length * 2));
}
