/**
 * Collaboration clients for tests and the sync benchmark: a real y-websocket 3 `WebsocketProvider` over the
 * `ws` package (a polyfill subclass that sends the Cookie/Authorization and Origin headers a browser or a
 * script would), and raw sockets for hand-built frames.
 */
import { type LayerName, roomName, TERMINAL_CLOSE_CODES } from "@gloss/shared";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

export { Y };

/** Where the server listens (TestServer fits). */
export interface CollabTarget {
  /** http://host:port */
  url: string;
}

/** Credentials: a session cookie (browser-like) or an API token (script-like). */
export interface ClientAuth {
  cookie?: string;
  token?: string;
  /** The account's id, for writers that must name themselves as a span's author (never sent). */
  userId?: number;
}

export interface ClientOptions {
  documentId: number;
  layer: LayerName;
  auth?: ClientAuth;
  /** Origin header; defaults to the server's own origin. `null` sends none. */
  origin?: string | null;
  /** Bring your own doc (default: a fresh one). */
  doc?: Y.Doc;
  connect?: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface CollabClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Every close event of this provider's sockets, in order. */
  closes: CloseInfo[];
  /** Resolves when the provider is synced (now, or at the next sync). */
  synced(): Promise<void>;
  /** Resolves with the next close event (or the last one, if it already closed). */
  closed(): Promise<CloseInfo>;
  destroy(): void;
}

/** Request headers a client of this kind sends. */
export function clientHeaders(target: CollabTarget, auth: ClientAuth = {}, origin?: string | null) {
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  const o = origin === undefined ? new URL(target.url).origin : origin;
  if (o !== null) headers.origin = o;
  return headers;
}

/** A `ws` WebSocket class that always sends these headers (the provider only passes url and protocols). */
export function webSocketWithHeaders(headers: Record<string, string>): typeof globalThis.WebSocket {
  class HeaderWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  return HeaderWebSocket as unknown as typeof globalThis.WebSocket;
}

/** Connects a real WebsocketProvider to `/collab/doc/<documentId>/<layer>`. */
export function connectClient(target: CollabTarget, opts: ClientOptions): CollabClient {
  const doc = opts.doc ?? new Y.Doc();
  const closes: CloseInfo[] = [];
  const waiters: Array<(c: CloseInfo) => void> = [];
  const provider = new WebsocketProvider(
    `${target.url.replace(/^http/, "ws")}/collab`,
    roomName(opts.documentId, opts.layer),
    doc,
    {
      WebSocketPolyfill: webSocketWithHeaders(clientHeaders(target, opts.auth, opts.origin)),
      disableBc: true,
      connect: opts.connect ?? true,
      maxBackoffTime: 200,
      // What the Gloss client does: only 4401/4403/4404 are final (the stock rule gives up on all of 44xx).
      shouldReconnect: (event) => !TERMINAL_CLOSE_CODES.has(event.code),
    },
  );
  provider.on("connection-close", (event) => {
    if (!event) return;
    const info = { code: event.code, reason: event.reason };
    closes.push(info);
    for (const w of waiters.splice(0)) w(info);
  });
  return {
    doc,
    provider,
    closes,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise((resolve) => {
            const on = (s: boolean) => {
              if (!s) return;
              provider.off("sync", on);
              resolve();
            };
            provider.on("sync", on);
          }),
    closed: () =>
      new Promise((resolve) => {
        const last = closes.at(-1);
        if (last && !provider.wsconnected && !provider.wsconnecting) resolve(last);
        else waiters.push(resolve);
      }),
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export interface RawSocket {
  ws: WebSocket;
  /** Frames received so far. */
  frames: Uint8Array[];
  opened: Promise<void>;
  closed: Promise<CloseInfo>;
  /** Resolves with the first received frame that satisfies `pred`. */
  next(pred?: (f: Uint8Array) => boolean): Promise<Uint8Array>;
  send(frame: Uint8Array): void;
  close(): void;
}

/** A bare `ws` socket to a collab path, for hand-built frames (adversarial tests, benchmark load). */
export function rawSocket(
  target: CollabTarget,
  path: string,
  opts: { auth?: ClientAuth; origin?: string | null; wsOptions?: WebSocket.ClientOptions } = {},
): RawSocket {
  const ws = new WebSocket(`${target.url.replace(/^http/, "ws")}${path}`, {
    ...opts.wsOptions,
    headers: clientHeaders(target, opts.auth, opts.origin),
  });
  ws.binaryType = "nodebuffer";
  const frames: Uint8Array[] = [];
  const watchers: Array<{ pred: (f: Uint8Array) => boolean; resolve: (f: Uint8Array) => void }> = [];
  ws.on("message", (data: Buffer) => {
    const f = new Uint8Array(data);
    frames.push(f);
    for (const w of [...watchers])
      if (w.pred(f)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(f);
      }
  });
  ws.on("error", () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("close", () => reject(new Error("closed before open")));
  });
  opened.catch(() => {});
  const closed = new Promise<CloseInfo>((resolve) =>
    ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    frames,
    opened,
    closed,
    next(pred = () => true) {
      const hit = frames.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => watchers.push({ pred, resolve }));
    },
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    close() {
      ws.close();
    },
  };
}

/** The socket path of a layer. */
export const collabPath = (documentId: number, layer: LayerName) => `/collab/${roomName(documentId, layer)}`;

/** Frame builders (the y-websocket protocol), for raw sockets. */
export const frames = {
  syncStep1(doc: Y.Doc): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
    return encoding.toUint8Array(e);
  },
  update(update: Uint8Array): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
    return encoding.toUint8Array(e);
  },
  queryAwareness(): Uint8Array {
    return Uint8Array.of(3);
  },
};

/** Parses a server frame: its message type, sync sub-type and payload (when it is a sync message). */
export function parseFrame(frame: Uint8Array): { type: number; syncType?: number; payload?: Uint8Array } {
  const d = decoding.createDecoder(frame);
  const type = decoding.readVarUint(d);
  if (type !== 0) return { type };
  const syncType = decoding.readVarUint(d);
  return { type, syncType, payload: decoding.readVarUint8Array(d) };
}
