/**
 * The `ws` shim between Node's HTTP upgrade and the collaboration core (which only sees CollabSocket —
 * a `ws` WebSocket already has that shape: send, close, bufferedAmount, ping).
 *
 * Refusals: the upgrade is authorised from its headers first; a refused one is still accepted and then
 * closed at once with the named code (4401 / 4403 / 4404), because a browser's WebSocket never exposes an
 * HTTP status — only a close code tells the client not to retry. No room or Y.Doc exists for it.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { CloseCode, COLLAB_PATH_PREFIX } from "@gloss/shared";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../log";
import type { LayerGrant, UpgradeDecision } from "./auth";
import type { CollabSocket, Connection } from "./connection";
import type { CollabLimits } from "./limits";
import type { CollabCounters } from "./metrics";
import type { TimerRegistry } from "./timers";

export interface TransportDeps {
  limits: CollabLimits;
  log: Logger;
  timers: TimerRegistry;
  counters: CollabCounters;
  /** Synchronous on SQLite (decided within the upgrade's tick); a promise on PostgreSQL. */
  authorize(req: IncomingMessage): UpgradeDecision | Promise<UpgradeDecision>;
  join(socket: CollabSocket, grant: LayerGrant): Connection | null;
}

/** A server-side socket that knows its connection: one declared field, no wrapper object, no closures. */
class CollabWebSocket extends WebSocket {
  conn: Connection | null = null;
}

// Shared listeners (`this` is the socket): an idle connection should cost as little as possible.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
  const conn = (this as CollabWebSocket).conn;
  if (!conn) return;
  if (!isBinary || !(data instanceof Uint8Array)) conn.reject("not a binary frame");
  else conn.receive(data);
}
function onPong(this: WebSocket) {
  (this as CollabWebSocket).conn?.pong();
}
const ignore = () => {};

export class WsTransport {
  private readonly wss: WebSocketServer;
  /** Sockets accepted and not yet closed (a count: a set entry per socket would be memory). */
  private open = 0;
  private closing = false;
  private whenEmpty: (() => void) | null = null;
  // One function per transport, shared by its sockets (`this` is the socket).
  private readonly onClose: (this: WebSocket) => void;
  private readonly onError: (this: WebSocket, err: Error) => void;

  constructor(private readonly deps: TransportDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      skipUTF8Validation: true,
      maxPayload: deps.limits.maxFrameBytes,
      WebSocket: CollabWebSocket,
    });
    const forget = () => {
      this.open--;
      if (this.open === 0) this.whenEmpty?.();
    };
    this.onClose = function (this: WebSocket) {
      forget();
      (this as CollabWebSocket).conn?.socketClosed();
    };
    // ws has already closed the socket (with 1009 for an oversized frame); a listener must exist or it throws.
    // The connection is over from here on: frames it queued (while its room was held) are not handled.
    this.onError = function (this: WebSocket, err: Error) {
      const conn = (this as CollabWebSocket).conn;
      deps.log.debug("collab: socket error", { socket: conn?.id, err: err.message });
      conn?.socketClosed();
    };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", ignore);
    if (!req.url?.startsWith(COLLAB_PATH_PREFIX) || this.closing) {
      const status = this.closing ? "503 Service Unavailable" : "404 Not Found";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    let decision: UpgradeDecision | Promise<UpgradeDecision>;
    try {
      decision = this.deps.authorize(req);
    } catch (err) {
      decision = this.failed(err);
    }
    if (!(decision instanceof Promise)) {
      this.upgrade(req, socket, head, decision);
      return;
    }
    // Awaiting the database: the client may go away meanwhile (ws then destroys the socket without
    // answering), and a shutdown that began meanwhile refuses it as a new upgrade would be.
    decision.then(
      (d) => this.upgrade(req, socket, head, d),
      (err) => this.upgrade(req, socket, head, this.failed(err)),
    );
  }

  private failed(err: unknown): UpgradeDecision {
    this.deps.log.error("collab: authorising an upgrade failed", { err: String(err) });
    return { ok: false, code: CloseCode.InternalError, reason: "internal error" };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, decision: UpgradeDecision): void {
    if (this.closing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    // Read at each upgrade, so the live limits object governs new sockets: ws closes bigger frames with 1009,
    // and cuts off a peer that does not answer our close frame within closeTimeout (ws ≥ 8.19; not yet in
    // @types/ws, hence the cast).
    const options = this.wss.options as { maxPayload: number; closeTimeout: number };
    options.maxPayload = this.deps.limits.maxFrameBytes;
    options.closeTimeout = this.deps.limits.closeGraceMs;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accepted(ws as CollabWebSocket, decision));
  }

  private accepted(ws: CollabWebSocket, decision: UpgradeDecision): void {
    this.open++;
    ws.on("close", this.onClose);
    ws.on("error", this.onError);
    if (!decision.ok) {
      this.deps.counters.refused++;
      ws.close(decision.code, decision.reason);
      return;
    }
    const conn = this.deps.join(ws, decision.grant);
    if (!conn) return;
    ws.conn = conn;
    ws.on("message", onMessage);
    ws.on("pong", onPong);
  }

  /**
   * Refuses new upgrades and waits for the open sockets (all closed by the registry already) to finish
   * closing; ws itself cuts off a peer that has not answered the close frame within the close grace.
   */
  async drain(): Promise<void> {
    this.closing = true;
    if (this.open > 0) {
      await new Promise<void>((resolve) => {
        const cancel = this.deps.timers.after(this.deps.limits.closeGraceMs + 500, resolve);
        this.whenEmpty = () => {
          cancel();
          resolve();
        };
      });
      this.whenEmpty = null;
    }
    this.wss.close();
  }
}
