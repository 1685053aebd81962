/** Numbers distinct values 0, 1, 2… in order of first appearance (categories of raw ratings, labels). */
export class Categories<T> {
  readonly values: T[] = [];
  private readonly index = new Map<T, number>();

  /** The number of `v`, given it on first sight. */
  of(v: T): number {
    const known = this.index.get(v);
    if (known !== undefined) return known;
    const i = this.values.length;
    this.index.set(v, i);
    this.values.push(v);
    return i;
  }

  get size(): number {
    return this.values.length;
  }
}
