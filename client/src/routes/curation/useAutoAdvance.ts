/**
 * The curator's choice to step on to the next open disagreement after accepting a version: off unless
 * turned on, remembered in localStorage (per browser, for every document).
 */
import { useCallback, useState } from "react";

/** The localStorage key of the choice. */
export const AUTO_ADVANCE_KEY = "gloss:curation:auto-advance";

function read(): boolean {
  try {
    return globalThis.localStorage?.getItem(AUTO_ADVANCE_KEY) === "true";
  } catch {
    return false; // storage refused (privacy mode): the choice lasts for the page only
  }
}

/** [on, set] */
export function useAutoAdvance(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(read);
  const set = useCallback((next: boolean) => {
    setOn(next);
    try {
      globalThis.localStorage?.setItem(AUTO_ADVANCE_KEY, String(next));
    } catch {
      // not remembered; still on for this page
    }
  }, []);
  return [on, set];
}
