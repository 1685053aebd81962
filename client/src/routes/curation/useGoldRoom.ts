/**
 * The live gold room of a document (`doc/<id>/gold`), through the app's one provider hook (an effect with
 * full teardown): curators never write to it from here — decisions go through the API, which writes
 * gold through the same room — but its changes tell us that someone decided something, and its
 * awareness shows who else is curating. Every change to gold's spans, relations or rejected keys
 * re-reads the curation view, debounced, because the view (alignment, resolutions, site versions) is
 * computed by the server; so does the connection coming back (changes may have been missed meanwhile).
 */
import { rejectedOf, relationsOf, spansOf } from "@gloss/shared";
import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import type { Awareness } from "y-protocols/awareness";
import { type PresenceUser, useLayerConnection } from "../../collab/useLayerConnection";
import { usePresence } from "../../collab/useLayerData";
import { useOnReconnect } from "../../collab/useOnReconnect";

/** Re-reads after this quiet period: one decision is several Yjs updates (span, provenance, rejected keys). */
export const GOLD_DEBOUNCE_MS = 150;

/** Connects to gold while mounted; calls `onChange` (debounced) after every change to gold. */
export function useGoldRoom(documentId: number, user: PresenceUser, onChange: () => void) {
  const { connection, state } = useLayerConnection({ documentId, layer: "gold", user, persist: false });
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const schedule = useRef(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onChangeRef.current(), GOLD_DEBOUNCE_MS);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    if (!connection) return;
    const maps = [spansOf(connection.doc), relationsOf(connection.doc), rejectedOf(connection.doc)];
    const onMapChange = () => schedule.current();
    for (const m of maps) m.observe(onMapChange);
    return () => {
      for (const m of maps) m.unobserve(onMapChange);
    };
  }, [connection]);

  // back online after a drop: whatever was decided meanwhile arrives in the sync, but re-read anyway
  // (the annotators' layers, which are not in this room, may have changed too)
  useOnReconnect(state, () => schedule.current());

  const others = usePresence(connection?.awareness ?? null, user.id);
  return { state, others, awareness: connection?.awareness ?? null };
}

/** The awareness field in which a curator says which disagreement they are looking at. */
export const CURATING_FIELD = "curating";

/** Where the other curators are: disagreement key → who is looking at it (from awareness). */
export function useCuratorsAt(
  awareness: Awareness | null,
  selfId: number,
): ReadonlyMap<string, PresenceUser[]> {
  const view = useMemo(() => {
    let cache: Map<string, PresenceUser[]> | null = null;
    return {
      subscribe(onChange: () => void) {
        if (!awareness) return () => {};
        const handler = () => {
          cache = null;
          onChange();
        };
        awareness.on("change", handler);
        return () => awareness.off("change", handler);
      },
      getSnapshot(): Map<string, PresenceUser[]> {
        if (!awareness) return NOBODY;
        if (cache) return cache;
        const m = new Map<string, PresenceUser[]>();
        const seen = new Set<number>();
        for (const state of awareness.getStates().values()) {
          const u = state.user as Partial<PresenceUser> | undefined;
          const key = state[CURATING_FIELD];
          if (!u || typeof u.id !== "number" || u.id === selfId || seen.has(u.id) || typeof key !== "string")
            continue;
          seen.add(u.id);
          const who: PresenceUser = {
            id: u.id,
            name: typeof u.name === "string" ? u.name : `user ${u.id}`,
            color: typeof u.color === "string" ? u.color : "#555555",
          };
          m.set(key, [...(m.get(key) ?? []), who]);
        }
        cache = m;
        return m;
      },
    };
  }, [awareness, selfId]);
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}

const NOBODY: Map<string, PresenceUser[]> = new Map();
