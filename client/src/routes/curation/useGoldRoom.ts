/**
 * The live gold room of a document (`doc/<id>/gold`), through the app's one provider hook (an effect with
 * full teardown): curators never write to it from here — decisions go through the API, which writes
 * gold through the same room — but its updates tell us that someone decided something, and its
 * awareness shows who else is curating. Each change re-reads the curation view, debounced, because the
 * view (alignment, resolutions) is computed by the server.
 */
import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import type { Awareness } from "y-protocols/awareness";
import { type PresenceUser, useLayerConnection } from "../../collab/useLayerConnection";
import { usePresence } from "../../collab/useLayerData";

/** Re-reads after this quiet period: one decision is several Yjs updates (span, provenance, rejected keys). */
const DEBOUNCE_MS = 200;

/** Connects to gold while mounted; calls `onChange` (debounced) after every change to gold. */
export function useGoldRoom(documentId: number, user: PresenceUser, onChange: () => void) {
  const { connection, state } = useLayerConnection({ documentId, layer: "gold", user, persist: false });
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (!connection) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onUpdate = () => {
      clearTimeout(timer);
      timer = setTimeout(() => onChangeRef.current(), DEBOUNCE_MS);
    };
    connection.doc.on("update", onUpdate);
    return () => {
      clearTimeout(timer);
      connection.doc.off("update", onUpdate);
    };
  }, [connection]);

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
