/**
 * A WebSocket that first asks the API for a single-use socket ticket (POST /api/socket-ticket, by the
 * session cookie) and then opens the socket with `?ticket=` (issue 17: no long-lived secret in a URL, and
 * the ticket a proxy may log is spent or expired by then). y-websocket makes one of these per connection
 * attempt (`WebSocketPolyfill`), so every reconnect gets a fresh ticket.
 *
 * To y-websocket it looks like a socket that takes a little longer to connect: a refused ticket (signed
 * out) is a close with 4401, which the client treats as final; a network failure is an abnormal close
 * (1006), which it retries with backoff.
 */
import { CloseCode, COLLAB_PATH_PREFIX } from "@gloss/shared";

/** Mints a ticket for a room: resolves with it, or rejects with the HTTP status (0: network). */
export type TicketMinter = (room: string) => Promise<string>;

export class TicketRefused extends Error {
  constructor(readonly status: number) {
    super(status === 0 ? "network error" : `ticket refused (${status})`);
  }
}

/** The browser's minter: same-origin fetch with the session cookie. */
export const fetchTicket: TicketMinter = async (room) => {
  let res: Response;
  try {
    res = await fetch("/api/socket-ticket", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ room }),
    });
  } catch {
    throw new TicketRefused(0);
  }
  if (!res.ok) throw new TicketRefused(res.status);
  return ((await res.json()) as { ticket: string }).ticket;
};

type Handler<E> = ((event: E) => void) | null;

/** A WebSocket class (for y-websocket's `WebSocketPolyfill`) that opens each socket with a fresh ticket. */
export function ticketWebSocket(mint: TicketMinter = fetchTicket): typeof WebSocket {
  class TicketWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSING = 2;
    readonly CLOSED = 3;
    binaryType: BinaryType = "arraybuffer";
    onopen: Handler<Event> = null;
    onmessage: Handler<MessageEvent> = null;
    onerror: Handler<Event> = null;
    onclose: Handler<CloseEvent | { code: number; reason: string; wasClean: boolean }> = null;
    private ws: WebSocket | null = null;
    private closed = false;

    constructor(
      readonly url: string,
      readonly protocols?: string | string[],
    ) {
      const target = new URL(url);
      const room = target.pathname.slice(
        target.pathname.indexOf(COLLAB_PATH_PREFIX) + COLLAB_PATH_PREFIX.length,
      );
      mint(room).then(
        (ticket) => {
          if (this.closed) return;
          target.searchParams.set("ticket", ticket);
          // the real WebSocket of this moment (a test may have replaced it)
          const ws = new globalThis.WebSocket(target.toString(), protocols);
          ws.binaryType = this.binaryType;
          ws.onopen = (e) => this.onopen?.(e);
          ws.onmessage = (e) => this.onmessage?.(e);
          ws.onerror = (e) => this.onerror?.(e);
          ws.onclose = (e) => this.onclose?.(e);
          this.ws = ws;
        },
        (err: unknown) => {
          if (this.closed) return;
          this.closed = true;
          const status = err instanceof TicketRefused ? err.status : 0;
          const code = status === 401 ? CloseCode.Unauthorized : 1006;
          this.onclose?.({
            code,
            reason: status === 401 ? "Sign in first" : "no socket ticket",
            wasClean: false,
          });
        },
      );
    }

    get readyState(): number {
      if (this.ws) return this.ws.readyState;
      return this.closed ? 3 : 0;
    }

    get bufferedAmount(): number {
      return this.ws?.bufferedAmount ?? 0;
    }

    send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      this.ws?.send(data as ArrayBufferView);
    }

    close(code?: number, reason?: string): void {
      this.closed = true;
      this.ws?.close(code, reason);
    }
  }
  return TicketWebSocket as unknown as typeof WebSocket;
}
