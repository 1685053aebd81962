/**
 * Benchmark child: the reference y-websocket server, `@y/websocket-server@0.1.1` (the last release on
 * yjs 13; a devDependency of the test package), as its own bin wires it: an http server whose upgrades go
 * to `setupWSConnection` (in memory, no persistence, no authorisation). Prints `{ url }` when listening.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { serveBenchRequests } from "./ipc";

// Loaded from the test package by path: the bench directory has no node_modules of its own.
const here = (p: string) => new URL(p, import.meta.url).href;
const { setupWSConnection } = (await import(
  here("../../test/node_modules/@y/websocket-server/src/utils.js")
)) as {
  setupWSConnection(conn: unknown, req: http.IncomingMessage): void;
};
const { WebSocketServer } = (await import(here("../../test/node_modules/ws/wrapper.mjs"))) as {
  WebSocketServer: new (opts: {
    noServer: true;
  }) => {
    handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: unknown) => void): void;
  };
};

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("okay");
});
server.on("upgrade", (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req));
});
server.listen(0, "127.0.0.1", () => {
  serveBenchRequests();
  process.once("SIGTERM", () => process.exit(0));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
