/** A value that follows `value` once it has stopped changing for `ms` (search as you type: one request). */
import { useEffect, useState } from "react";

/** Waits `ms` after the last change before passing the value on. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
