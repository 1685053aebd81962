/**
 * Garbage collection on demand for server-side batch work that makes a lot of short-lived garbage (an
 * annotation import makes ≈1 KB of it per span). V8 collects its old generation lazily — the first full
 * collection of a fresh server comes only once a couple of hundred MB of heap were allocated — so an import
 * of 200,000 spans, whose live data stays near 50 MB, still took the server's RSS from 180 MB to ≈490 MB
 * (measured with bench/import.ts). A budget collects whenever the heap has grown by its size since the last
 * collection: a few full collections of ≈20–40 ms each (the live heap is small), between two batches.
 *
 * The collector is reached the way Node documents for `v8.setFlagsFromString`: the flag exposes `gc` to
 * contexts created after it, here one context of our own; the server's global scope is not changed.
 */
import v8 from "node:v8";
import vm from "node:vm";

let collector: (() => void) | null = null;

function collect(): void {
  if (!collector) {
    v8.setFlagsFromString("--expose-gc");
    collector = vm.runInNewContext("gc") as () => void;
  }
  collector();
}

const heapUsed = () => v8.getHeapStatistics().used_heap_size;

/**
 * Returns a check to call between two batches: it runs a full collection when the heap has grown by more than
 * `bytes` since the budget was made or last collected (true then).
 */
export function heapBudget(bytes: number): () => boolean {
  let base = heapUsed();
  return () => {
    if (heapUsed() - base < bytes) return false;
    collect();
    base = heapUsed();
    return true;
  };
}
