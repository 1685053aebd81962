/**
 * Calls `onReconnect` when a collaboration socket is connected again after a drop: what the page read
 * over HTTP may have changed meanwhile (the browser's own "online" event is TanStack Query's, but a
 * server restart drops the socket while the browser stays online).
 */
import { useEffect, useRef } from "react";
import type { ConnectionState } from "./connectionState";

/** Runs `onReconnect` on every "connected" that follows a lost connection (not on the first one). */
export function useOnReconnect(state: ConnectionState, onReconnect: () => void): void {
  const callback = useRef(onReconnect);
  callback.current = onReconnect;
  const wasConnected = useRef(false);
  const lost = useRef(false);
  useEffect(() => {
    if (state === "connected") {
      if (wasConnected.current && lost.current) callback.current();
      wasConnected.current = true;
      lost.current = false;
    } else if (wasConnected.current) lost.current = true;
  }, [state]);
}
