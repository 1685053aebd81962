/** React views of a layer Y.Doc: spans in reading order, relations, the layer status, who is here. */
import {
  getLayerState,
  type LayerStateRecord,
  listRelations,
  listSpans,
  type Relation,
  relationsOf,
  type Span,
  spansOf,
  stateOf,
} from "@gloss/shared";
import { useMemo, useSyncExternalStore } from "react";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import type { PresenceUser } from "./useLayerConnection";

/**
 * A subscribable, cached view of something derived from a Y type: `read` runs again only after a change,
 * so useSyncExternalStore gets the same snapshot object between changes.
 */
interface Observable {
  observe(f: () => void): void;
  unobserve(f: () => void): void;
}

function observedView<T>(type: Observable | null, read: () => T, empty: T) {
  let cache: { value: T } | null = null;
  return {
    subscribe(onChange: () => void) {
      if (!type) return () => {};
      const handler = () => {
        cache = null;
        onChange();
      };
      type.observe(handler);
      return () => type.unobserve(handler);
    },
    getSnapshot(): T {
      if (!type) return empty;
      cache ??= { value: read() };
      return cache.value;
    },
  };
}

const NO_SPANS: Span[] = [];
const NO_RELATIONS: Relation[] = [];
const NO_USERS: PresenceUser[] = [];

/** The layer's spans in reading order; re-renders on every change to the `spans` map. */
export function useSpans(doc: Y.Doc | null): Span[] {
  const view = useMemo(() => observedView(doc ? spansOf(doc) : null, () => listSpans(doc!), NO_SPANS), [doc]);
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}

/** The layer's relations. */
export function useRelations(doc: Y.Doc | null): Relation[] {
  const view = useMemo(
    () => observedView(doc ? relationsOf(doc) : null, () => listRelations(doc!), NO_RELATIONS),
    [doc],
  );
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}

/** The layer status (in_progress / done), or null. */
export function useLayerState(doc: Y.Doc | null): LayerStateRecord | null {
  const view = useMemo(() => observedView(doc ? stateOf(doc) : null, () => getLayerState(doc!), null), [doc]);
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}

/** Reads the other people in the room from awareness states: one entry per user, not per tab. */
export function presentUsers(
  states: Map<number, Record<string, unknown>>,
  selfUserId: number,
): PresenceUser[] {
  const byId = new Map<number, PresenceUser>();
  for (const state of states.values()) {
    const u = state.user as Partial<PresenceUser> | undefined;
    if (!u || typeof u.id !== "number" || u.id === selfUserId || byId.has(u.id)) continue;
    byId.set(u.id, {
      id: u.id,
      name: typeof u.name === "string" ? u.name : `user ${u.id}`,
      color: typeof u.color === "string" ? u.color : "#555555",
    });
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

/** Who else is in this layer now (from awareness). */
export function usePresence(awareness: Awareness | null, selfUserId: number): PresenceUser[] {
  const view = useMemo(() => {
    let cache: PresenceUser[] | null = null;
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
      getSnapshot(): PresenceUser[] {
        if (!awareness) return NO_USERS;
        cache ??= presentUsers(awareness.getStates() as Map<number, Record<string, unknown>>, selfUserId);
        return cache;
      },
    };
  }, [awareness, selfUserId]);
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}
