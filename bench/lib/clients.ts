/**
 * One benchmark client, whichever protocol its server speaks: a y-websocket `WebsocketProvider` (Gloss and
 * the reference server) or a `HocuspocusProvider` (Hocuspocus 3, whose wire protocol is its own). Each
 * client has its own websocket, so the client-side costs are alike; neither sends presence.
 */
import { type ClientAuth, connectClient, webSocketWithHeaders, Y } from "../../test/helpers/collab";

export type BenchProtocol = "y-websocket" | "hocuspocus";

export interface BenchClient {
  doc: Y.Doc;
  /** Resolves when the client holds the server's state (now, or at the next sync). */
  synced(): Promise<void>;
  destroy(): void;
}

type HocuspocusProviderLike = {
  isSynced: boolean;
  on(event: "synced", cb: () => void): void;
  off(event: "synced", cb: () => void): void;
  destroy(): void;
};
const here = (p: string) => new URL(p, import.meta.url).href;
type HocuspocusProviderClass = new (config: Record<string, unknown>) => HocuspocusProviderLike;
let HocuspocusProvider: HocuspocusProviderClass | null = null;

/** Hocuspocus's name for a Gloss document's shared layer (any string names a Hocuspocus document). */
export const hocuspocusName = (documentId: number) => `doc-${documentId}-shared`;

/** LEB128, as lib0 writes a varUint. */
function varUint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** lib0's varString: the UTF-8 length as a varUint, then the bytes. */
function varString(s: string): number[] {
  const bytes = new TextEncoder().encode(s);
  return [...varUint(bytes.length), ...bytes];
}

/** Frames for raw sockets to Hocuspocus, whose messages are y-websocket's prefixed with a document name. */
export const hocuspocusFrames = {
  /** The token message (Auth, Token, token) that Hocuspocus waits for before it handles a document's others. */
  auth(name: string, token = ""): Uint8Array {
    return Uint8Array.from([...varString(name), 2, 0, ...varString(token)]);
  },
  /** A y-websocket frame (sync, awareness…) addressed to document `name`. */
  wrap(name: string, frame: Uint8Array): Uint8Array {
    const head = varString(name);
    const out = new Uint8Array(head.length + frame.length);
    out.set(head);
    out.set(frame, head.length);
    return out;
  },
};

/** Loads what `connectBenchClient` needs for `protocol` (the Hocuspocus provider is imported lazily). */
export async function prepareClients(protocol: BenchProtocol): Promise<void> {
  // Loaded from the test package by path (the bench directory has no node_modules), on first use only.
  if (protocol === "hocuspocus" && !HocuspocusProvider)
    HocuspocusProvider = (
      await import(here("../../test/node_modules/@hocuspocus/provider/dist/hocuspocus-provider.esm.js"))
    ).HocuspocusProvider as HocuspocusProviderClass;
}

/** Connects one client to document `documentId`'s shared layer on `url`. */
export function connectBenchClient(
  protocol: BenchProtocol,
  url: string,
  documentId: number,
  auth: ClientAuth | undefined,
): BenchClient {
  if (protocol === "y-websocket") {
    const c = connectClient({ url }, { documentId, layer: "shared", auth, connect: false });
    // No presence: the workload measures span sync, not the 15 s awareness renewals of 200 tabs.
    c.provider.awareness.setLocalState(null);
    c.provider.connect();
    return { doc: c.doc, synced: c.synced, destroy: c.destroy };
  }
  if (!HocuspocusProvider) throw new Error("prepareClients('hocuspocus') was not awaited");
  const doc = new Y.Doc();
  const provider = new HocuspocusProvider({
    url: url.replace(/^http/, "ws"),
    name: hocuspocusName(documentId),
    document: doc,
    // awareness: null sends no presence at all (the y-websocket clients send an empty state once).
    awareness: null,
    WebSocketPolyfill: webSocketWithHeaders({}),
  });
  return {
    doc,
    synced: () =>
      provider.isSynced
        ? Promise.resolve()
        : new Promise((resolve) => {
            const on = () => {
              provider.off("synced", on);
              resolve();
            };
            provider.on("synced", on);
          }),
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
