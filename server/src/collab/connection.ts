/**
 * One client connection to a room. The core never sees a WebSocket: it takes a minimal socket
 * (send, close, bufferedAmount, ping) so the transport is a short shim and a test can drive a room directly
 * (tldraw `TLSocketRoom`, hocuspocus' Hono playground). Kept small: an idle connection should cost
 * well under the 3 KB per connection targeted in `pnpm bench:sync`, most of which is the socket itself.
 */
import { CloseCode, LayerValidationError } from "@gloss/shared";
import type { Logger } from "../log";
import type { LayerGrant } from "./auth";

/** What a connection keeps of its grant: who, and the credential to re-check (never the document row). */
export interface ConnectionGrant {
  readonly user: LayerGrant["user"];
  readonly credential: LayerGrant["credential"];
}

import type { CollabLimits } from "./limits";
import type { CollabCounters } from "./metrics";
import { decodeClientMessage } from "./protocol";
import type { Room } from "./room";

/** The socket the core writes to (a `ws` WebSocket has this shape). */
export interface CollabSocket {
  send(data: Uint8Array): void;
  close(code: number, reason?: string): void;
  /** Bytes queued for the peer and not yet written out. */
  readonly bufferedAmount: number;
  ping(): void;
}

/** What a connection needs from the registry that owns it (reached through its room). */
export interface ConnectionHost {
  readonly limits: CollabLimits;
  readonly log: Logger;
  readonly counters: CollabCounters;
  leave(conn: Connection): void;
}

const STARTED = 1;
/**
 * Thrown by a check that must wait for the room's rules (PostgreSQL): the connection puts the frame back
 * at the head of its queue and handles it when the room lets go (`held`).
 */
export class HoldFrame extends Error {
  constructor() {
    super("waiting for the room's rules");
    this.name = "HoldFrame";
  }
}

const CLOSED = 2;
const ALIVE = 4;
const WRITABLE = 8;
let nextId = 1;

export class Connection {
  /** For logs: which socket misbehaved. */
  readonly id = nextId++;
  private flags: number;
  /** Awareness client ids this connection speaks for. */
  awarenessIds: Set<number> | null = null;
  /**
   * Frames that arrived while the room was loading, or while it was held (reading its rules on PostgreSQL),
   * replayed once it is ready (allocated on demand).
   */
  private pending: Uint8Array[] | null = null;
  /** The frame at the head of `pending` that waits for the room's rules (PostgreSQL), if any. */
  private putBack: Uint8Array | null = null;

  constructor(
    readonly socket: CollabSocket,
    readonly room: Room,
    grant: LayerGrant,
  ) {
    this.grant = { user: grant.user, credential: grant.credential };
    // Read-only connections have their sync step 2 and update frames dropped, never applied.
    this.flags = ALIVE | (grant.permission === "write" ? WRITABLE : 0);
  }

  /** Who is connected; replaced when their rights are decided again. */
  grant: ConnectionGrant;

  /** Rights decided again while connected: narrowed to read-only (or widened back to write). */
  regrant(grant: LayerGrant): void {
    this.grant = { user: grant.user, credential: grant.credential };
    if (grant.permission === "write") this.flags |= WRITABLE;
    else this.flags &= ~WRITABLE;
  }

  /** Synced with the room: receives broadcasts and has its frames handled. */
  get started(): boolean {
    return (this.flags & STARTED) !== 0;
  }
  get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }
  get writable(): boolean {
    return (this.flags & WRITABLE) !== 0;
  }
  private get host(): ConnectionHost {
    return this.room.host;
  }

  /** A binary frame from the peer. */
  receive(frame: Uint8Array): void {
    if (this.flags & CLOSED) return;
    this.flags |= ALIVE;
    if (this.flags & STARTED && !this.room.held) {
      this.handle(frame);
      return;
    }
    // Bounded: a client cannot make the server hold unbounded bytes before its room is ready. A frame put
    // back to wait for the room's rules was accepted already (it passed the frame size limit): not counted.
    this.pending ??= [];
    const pending = this.pending;
    pending.push(frame);
    const { maxPendingFrames, maxPendingBytes } = this.host.limits;
    const putBack = this.putBack !== null && pending[0] === this.putBack ? 1 : 0;
    let bytes = 0;
    for (let i = putBack; i < pending.length; i++) bytes += pending[i]!.byteLength;
    if (pending.length - putBack > maxPendingFrames || bytes > maxPendingBytes)
      this.close(CloseCode.TooBig, "too much data before the room was ready");
  }

  /** A frame that cannot be part of the protocol (e.g. a text frame). */
  reject(why: string): void {
    if (this.flags & CLOSED) return;
    this.host.counters.malformed++;
    this.host.log.warn("collab: malformed frame", { room: this.room.name, socket: this.id, err: why });
    this.close(CloseCode.MalformedFrame, "malformed frame");
  }

  /** The room is ready: greet the peer (sync step 1 after the stored state is applied), then replay. */
  start(): void {
    if (this.flags & (CLOSED | STARTED)) return;
    this.flags |= STARTED;
    this.room.greet(this);
    this.drain();
  }

  /** Handles the queued frames in order, until the room holds them again. */
  drain(): void {
    const frames = this.pending;
    if (!frames || !(this.flags & STARTED)) return;
    this.pending = null;
    for (let i = 0; i < frames.length; i++) {
      if (this.flags & CLOSED) return;
      if (this.room.held) {
        // behind a frame put back by a check that waits for the rules, if any
        this.pending = this.pending ? [...this.pending, ...frames.slice(i)] : frames.slice(i);
        return;
      }
      this.handle(frames[i]!);
    }
  }

  private handle(frame: Uint8Array): void {
    if (frame === this.putBack) this.putBack = null;
    try {
      this.room.handle(this, decodeClientMessage(frame));
    } catch (err) {
      if (err instanceof HoldFrame) {
        // not handled yet: first in line once the room's rules are read
        this.pending ??= [];
        this.pending.unshift(frame);
        this.putBack = frame;
        return;
      }
      if (err instanceof LayerValidationError) {
        // Well-formed, but it would make the layer invalid: nothing of it was applied.
        this.host.counters.invalidUpdates++;
        this.host.log.warn("collab: update refused", {
          room: this.room.name,
          socket: this.id,
          field: err.field,
          err: err.message.slice(0, 200),
        });
        this.close(CloseCode.InvalidUpdate, `refused: ${err.field}: ${err.message}`.slice(0, 120));
        return;
      }
      if (err instanceof Error && err.name === "AwarenessLimitError") {
        this.host.counters.awarenessRefused++;
        this.host.log.warn("collab: awareness over its bounds", {
          room: this.room.name,
          socket: this.id,
          err: err.message,
        });
        this.close(CloseCode.AwarenessLimit, err.message.slice(0, 120));
        return;
      }
      // Bad input never escapes a socket callback (STYLE 12): this socket goes, the process stays.
      this.reject(err instanceof Error ? err.message : String(err));
    }
  }

  /** Sends a frame, or drops a peer that has stopped reading (it resyncs when it reconnects). */
  send(msg: Uint8Array): void {
    if (this.flags & CLOSED) return;
    if (this.socket.bufferedAmount > this.host.limits.maxBufferedBytes) {
      this.host.counters.slowConsumers++;
      this.close(CloseCode.SlowConsumer, "send buffer full: resync on reconnect");
      return;
    }
    try {
      this.socket.send(msg);
    } catch (err) {
      this.host.log.warn("collab: send failed", { room: this.room.name, socket: this.id, err: String(err) });
      this.close(CloseCode.InternalError, "send failed");
    }
  }

  pong(): void {
    this.flags |= ALIVE;
  }

  /** Called every ping interval: a connection that did not answer the previous ping is gone. */
  heartbeat(): void {
    if ((this.flags & (CLOSED | STARTED)) !== STARTED) return;
    if (!(this.flags & ALIVE)) {
      this.close(CloseCode.Timeout, "no pong");
      return;
    }
    this.flags &= ~ALIVE;
    try {
      this.socket.ping();
    } catch {
      this.close(CloseCode.Timeout, "ping failed");
    }
  }

  /** Closes the socket with a named code and leaves the room. */
  close(code: number, reason?: string): void {
    if (this.flags & CLOSED) return;
    this.flags |= CLOSED;
    try {
      this.socket.close(code, reason);
    } catch (err) {
      this.host.log.debug("collab: close failed", { socket: this.id, err: String(err) });
    }
    this.host.leave(this);
  }

  /** The peer or the network closed the socket. */
  socketClosed(): void {
    if (this.flags & CLOSED) return;
    this.flags |= CLOSED;
    this.host.leave(this);
  }
}
