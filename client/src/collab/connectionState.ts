/** What the connection indicator shows, derived from the provider's fields, the browser and close codes. */
import { CloseCode } from "@gloss/shared";

export type ConnectionState =
  /** Synced with the server: changes reach others live. */
  | "connected"
  /** Connecting or exchanging state with the server. */
  | "syncing"
  /** No connection: work continues on this device and merges later. */
  | "offline"
  /** The server closed with 4401: sign in again. */
  | "signed-out"
  /** The server closed with 4403: no access to this layer. */
  | "forbidden"
  /** The server closed with 4404: no such document or layer. */
  | "not-found"
  /** The server closed with 4422: it refused a change from this device (it broke the layer's rules). */
  | "refused";

export interface ConnectionFacts {
  /** navigator.onLine */
  online: boolean;
  wsconnected: boolean;
  synced: boolean;
  /** Closed connections since the last successful sync (y-websocket's wsUnsuccessfulReconnects). */
  failedAttempts: number;
  /** The code of a terminal close (4401/4403/4404), or null. */
  terminalCode: number | null;
}

/** The indicator state for the given facts. */
export function connectionState(f: ConnectionFacts): ConnectionState {
  if (f.terminalCode === CloseCode.Unauthorized) return "signed-out";
  if (f.terminalCode === CloseCode.Forbidden) return "forbidden";
  if (f.terminalCode === CloseCode.NotFound) return "not-found";
  if (f.terminalCode === CloseCode.InvalidUpdate) return "refused";
  if (!f.online) return "offline";
  if (f.wsconnected) return f.synced ? "connected" : "syncing";
  // the first attempt is "syncing"; once an attempt has failed we are working offline until one succeeds
  return f.failedAttempts > 0 ? "offline" : "syncing";
}

/** Human wording for each state (the indicator's text; colour is never the only signal). */
export const CONNECTION_TEXT: Record<ConnectionState, { label: string; detail: string }> = {
  connected: { label: "Connected", detail: "Changes are saved and shared live." },
  syncing: { label: "Syncing", detail: "Exchanging changes with the server…" },
  offline: {
    label: "Offline",
    detail: "Your work is kept on this device and merges when the connection returns.",
  },
  "signed-out": { label: "Signed out", detail: "Your session has ended. Sign in again to keep syncing." },
  forbidden: { label: "No access", detail: "You do not have access to this layer." },
  "not-found": { label: "Not found", detail: "This document or layer does not exist." },
  refused: {
    label: "Change refused",
    detail:
      "The server refused a change from this device (it broke the layer's rules). Reload to continue from the server's copy.",
  },
};
