import { act, StrictMode } from "react";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { flush, render, until } from "../test-utils";
import { type LayerConnection, useLayerConnection } from "./useLayerConnection";

/** A stand-in for the browser's WebSocket that records every socket y-websocket opens. */
class RecordingSocket {
  static OPEN = 1;
  static all: RecordingSocket[] = [];
  readyState = 0;
  binaryType = "";
  closed = false;
  onopen: (() => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onmessage: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(readonly url: string) {
    RecordingSocket.all.push(this);
  }
  send() {}
  close() {
    this.closed = true;
    this.readyState = 3;
  }
}

const realWebSocket = globalThis.WebSocket;
/** Tickets handed out by the stand-in for POST /api/socket-ticket (the status it answers with). */
let tickets: { status: number; minted: Array<{ room: string; ticket: string }> };
beforeEach(() => {
  RecordingSocket.all = [];
  (globalThis as { WebSocket: unknown }).WebSocket = RecordingSocket;
  tickets = { status: 201, minted: [] };
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    if (url !== "/api/socket-ticket" || init.method !== "POST") return new Response(null, { status: 404 });
    if (tickets.status !== 201) return new Response("{}", { status: tickets.status });
    const { room } = JSON.parse(String(init.body)) as { room: string };
    const ticket = `gtk_${tickets.minted.length + 1}`;
    tickets.minted.push({ room, ticket });
    return new Response(JSON.stringify({ ticket, room, expiresAt: Date.now() + 15_000 }), { status: 201 });
  });
});
afterEach(() => {
  (globalThis as { WebSocket: unknown }).WebSocket = realWebSocket;
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const seen: Array<{ connection: LayerConnection | null; state: string }> = [];
function Harness() {
  const r = useLayerConnection({
    documentId: 5,
    layer: "user-3",
    user: { id: 3, name: "Ada", color: "#123456" },
    persist: false,
  });
  seen.push(r);
  return <p data-state={r.state}>{r.state}</p>;
}
const open = () => RecordingSocket.all.filter((s) => !s.closed);

test("StrictMode's double mount leaves exactly one live provider, and unmounting closes it", async () => {
  seen.length = 0;
  const r = await render(
    <StrictMode>
      <Harness />
    </StrictMode>,
  );
  await flush();
  // the first mount's provider was destroyed while its ticket was on the way, so its socket never opened;
  // one socket exists, to the right room
  expect(tickets.minted).toHaveLength(2);
  expect(RecordingSocket.all).toHaveLength(1);
  expect(open()).toHaveLength(1);
  // opened with a single-use ticket minted for its room, never a long-lived secret (issue 17)
  const ticket = tickets.minted.at(-1)!;
  expect(ticket.room).toBe("doc/5/user-3");
  expect(open()[0]!.url).toBe(`ws://${window.location.host}/collab/doc/5/user-3?ticket=${ticket.ticket}`);
  const conn = seen.at(-1)!.connection!;
  expect(conn.awareness.getLocalState()?.user).toEqual({ id: 3, name: "Ada", color: "#123456" });
  expect(r.container.querySelector("p")?.dataset.state).toBe("syncing");
  await r.unmount();
  expect(open()).toHaveLength(0);
});

test("4408 is retried, 4401 is terminal (signed out, no new socket); going offline disconnects at once", async () => {
  const r = await render(<Harness />);
  await flush();
  const first = open()[0]!;
  await act(async () => {
    first.readyState = 1;
    first.onopen?.();
  });
  await act(async () => {
    window.dispatchEvent(new Event("offline"));
  });
  // the browser said offline: the socket is closed at once, not after a 30 s watchdog
  expect(first.closed).toBe(true);
  await act(async () => {
    window.dispatchEvent(new Event("online"));
  });
  const second = open()[0]!;
  expect(second).not.toBe(first);
  // fake timers from here: the reconnect backoff (at most 2.5 s) is run through without waiting
  vi.useFakeTimers();
  try {
    // 4408 (ping timeout) is in y-websocket's default "give up" range 4400–4499, but it is transient: retry
    await act(async () => {
      second.onclose?.({ code: 4408, reason: "no pong" });
      vi.advanceTimersByTime(3000);
    });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0); // the new ticket's fetch settles
    });
    const third = open()[0]!;
    expect(third).not.toBe(second);
    await act(async () => {
      third.onclose?.({ code: 4401, reason: "Sign in first" });
    });
    expect(r.container.querySelector("p")?.dataset.state).toBe("signed-out");
    const count = RecordingSocket.all.length;
    await act(async () => {
      vi.advanceTimersByTime(60_000);
    });
    expect(RecordingSocket.all.length).toBe(count);
  } finally {
    vi.useRealTimers();
  }
  await r.unmount();
});

test("each attempt gets its own ticket, and a refused ticket (signed out) is final", async () => {
  const r = await render(<Harness />);
  await flush();
  const first = open()[0]!;
  expect(first.url).toMatch(/\?ticket=gtk_1$/);
  tickets.status = 401;
  await act(async () => {
    first.onclose?.({ code: 4408, reason: "no pong" });
  });
  await until(() => r.container.querySelector("p")?.dataset.state === "signed-out");
  expect(open()).toHaveLength(0);
  await r.unmount();
});
