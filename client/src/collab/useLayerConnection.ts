/**
 * One live layer: a Y.Doc synced with the server by a y-websocket provider (room `doc/<id>/<layer>`) and
 * kept in IndexedDB (y-indexeddb) so work continues offline, survives a reload and merges on reconnect.
 *
 * Everything lives in one effect with full teardown: React StrictMode mounts twice, and two providers on
 * one editor would double every update (style guide "client providers live in effects"; tiptap #4482).
 */
import { CloseCode, type LayerName, roomName, TERMINAL_CLOSE_CODES } from "@gloss/shared";
import { useEffect, useState } from "react";
import { IndexeddbPersistence } from "y-indexeddb";
import { Awareness } from "y-protocols/awareness";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { type ConnectionFacts, type ConnectionState, connectionState } from "./connectionState";
import { ticketWebSocket } from "./ticketSocket";

export interface LayerConnection {
  doc: Y.Doc;
  awareness: Awareness;
  provider: WebsocketProvider;
  room: string;
}

export interface PresenceUser {
  id: number;
  name: string;
  color: string;
}

/** The socket base: the provider appends `/<room>`, giving `/collab/doc/<id>/<layer>` on this origin. */
export function collabServerUrl(loc: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/collab`;
}

/** The IndexedDB database that keeps a user's copy of a room (per user: two accounts on one browser stay apart). */
export const offlineDbName = (room: string, userId: number) => `gloss:${room}:${userId}`;

/** Reconnect after anything but 4401/4403/4404/4422 (y-websocket's default would also stop on 4408/4413/4429). */
const shouldReconnect = (event: CloseEvent) => !TERMINAL_CLOSE_CODES.has(event.code);

const INITIAL_FACTS: ConnectionFacts = {
  online: true,
  wsconnected: false,
  synced: false,
  failedAttempts: 0,
  terminalCode: null,
};

/**
 * Connects to one layer while mounted. `persist` keeps an offline copy (writable layers only: a read-only
 * viewer has nothing of its own to keep). Returns null until the connection objects exist.
 */
export function useLayerConnection(opts: {
  documentId: number;
  layer: LayerName;
  user: PresenceUser;
  persist: boolean;
}): { connection: LayerConnection | null; state: ConnectionState } {
  const { documentId, layer, persist } = opts;
  const userId = opts.user.id;
  const [connection, setConnection] = useState<LayerConnection | null>(null);
  const [facts, setFacts] = useState<ConnectionFacts>(INITIAL_FACTS);

  useEffect(() => {
    const room = roomName(documentId, layer);
    // The guid from the room name rather than a random uuid (layers have no subdocuments to tell apart).
    const doc = new Y.Doc({ guid: room });
    const awareness = new Awareness(doc);
    const persistence = persist ? new IndexeddbPersistence(offlineDbName(room, userId), doc) : null;
    let terminalCode: number | null = null;
    const provider = new WebsocketProvider(collabServerUrl(), room, doc, {
      // each connection attempt first gets a single-use ticket: no secret in the socket URL (issue 17)
      WebSocketPolyfill: ticketWebSocket(),
      connect: navigator.onLine,
      awareness,
      shouldReconnect,
    });

    const refresh = () =>
      setFacts((prev) => {
        const next: ConnectionFacts = {
          online: navigator.onLine,
          wsconnected: provider.wsconnected,
          synced: provider.synced,
          failedAttempts: provider.wsUnsuccessfulReconnects,
          terminalCode,
        };
        return sameFacts(prev, next) ? prev : next;
      });
    const onClosed = (e: { code: number; reason: string }) => {
      terminalCode = e.code;
      // The server refused content this copy holds and always will: drop the offline copy, so a reload
      // starts from the server's state instead of sending the refused update again.
      if (e.code === CloseCode.InvalidUpdate) void persistence?.clearData();
      refresh();
    };
    // A dropped network can leave a socket half-open until y-websocket's 30 s watchdog fires; the browser
    // knows sooner. Going offline disconnects at once, coming back reconnects (unless the server refused us).
    const onOffline = () => {
      provider.disconnect();
      refresh();
    };
    const onOnline = () => {
      if (terminalCode === null) provider.connect();
      refresh();
    };
    provider.on("status", refresh);
    provider.on("sync", refresh);
    provider.on("connection-close", refresh);
    provider.on("connection-error", refresh);
    provider.on("closed", onClosed);
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);
    refresh();
    setConnection({ doc, awareness, provider, room });

    return () => {
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      provider.off("status", refresh);
      provider.off("sync", refresh);
      provider.off("connection-close", refresh);
      provider.off("connection-error", refresh);
      provider.off("closed", onClosed);
      // order matters: the provider tells peers we left (awareness null) before the awareness goes away
      provider.destroy();
      awareness.destroy();
      void persistence?.destroy();
      doc.destroy();
      setConnection(null);
      setFacts(INITIAL_FACTS);
    };
  }, [documentId, layer, userId, persist]);

  // Our name and colour in the room's awareness (the editor adds our selection beside it).
  const { name, color } = opts.user;
  useEffect(() => {
    connection?.awareness.setLocalStateField("user", { id: userId, name, color });
  }, [connection, userId, name, color]);

  return { connection, state: connectionState(facts) };
}

function sameFacts(a: ConnectionFacts, b: ConnectionFacts): boolean {
  return (
    a.online === b.online &&
    a.wsconnected === b.wsconnected &&
    a.synced === b.synced &&
    a.failedAttempts === b.failedAttempts &&
    a.terminalCode === b.terminalCode
  );
}
