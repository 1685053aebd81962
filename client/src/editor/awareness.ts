/**
 * Presence in the text: publishes this editor's selection (UTF-16 offsets) on the provider's awareness and
 * reads other clients' selections. Remote states are untrusted input: only well-formed ranges inside the text
 * survive, colours must be #rrggbb, names are rendered as text (a title attribute).
 */
import type { Awareness } from "y-protocols/awareness";
import type { RemoteSelection } from "./overlayPlugin";

/** Delay before publishing a selection, so dragging does not flood the socket. */
const PUBLISH_DELAY_MS = 80;

/** Remote clients' selections from awareness states (excluding our own client). */
export function remoteSelections(awareness: Awareness, textLength: number): RemoteSelection[] {
  const out: RemoteSelection[] = [];
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID) return;
    const sel = (state as { selection?: unknown }).selection as { start?: unknown; end?: unknown } | null;
    const user = (state as { user?: unknown }).user as { name?: unknown; color?: unknown } | undefined;
    if (!sel || typeof sel.start !== "number" || typeof sel.end !== "number") return;
    const { start, end } = sel;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > textLength || start >= end)
      return;
    out.push({
      clientId,
      start,
      end,
      name: typeof user?.name === "string" ? user.name.slice(0, 100) : "someone",
      color: typeof user?.color === "string" ? user.color : "#6b7280",
    });
  });
  return out;
}

/** The names other clients give in their awareness state, by Yjs client id (only string names). */
export function clientNames(awareness: Awareness): Map<number, string> {
  const out = new Map<number, string>();
  awareness.getStates().forEach((state, clientId) => {
    const name = (state as { user?: { name?: unknown } }).user?.name;
    if (clientId !== awareness.clientID && typeof name === "string") out.set(clientId, name.slice(0, 100));
  });
  return out;
}

export interface AwarenessBinding {
  publish(selection: { start: number; end: number } | null): void;
  destroy(): void;
}

/** Binds an awareness: `onRemote` runs with the remote selections whenever they change. */
export function bindAwareness(
  awareness: Awareness,
  textLength: number,
  onRemote: (sel: RemoteSelection[]) => void,
): AwarenessBinding {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { start: number; end: number } | null = null;
  let last = "";
  const onChange = () => onRemote(remoteSelections(awareness, textLength));
  awareness.on("change", onChange);
  onChange();
  const flush = () => {
    timer = null;
    const key = JSON.stringify(pending);
    if (key === last) return;
    last = key;
    awareness.setLocalStateField("selection", pending);
  };
  return {
    publish(selection) {
      pending = selection;
      if (!timer) timer = setTimeout(flush, PUBLISH_DELAY_MS);
    },
    destroy() {
      if (timer) clearTimeout(timer);
      awareness.off("change", onChange);
      // Leave no stale selection behind; the awareness itself belongs to the provider.
      if (awareness.getLocalState() !== null) awareness.setLocalStateField("selection", null);
      onRemote([]);
    },
  };
}
