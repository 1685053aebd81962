import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { LayerName } from "@gloss/shared";
import type * as Y from "yjs";
import type { Db } from "../db/client";
import type { Config } from "../env";
import type { Logger } from "../log";

/** The collaboration service: the y-websocket server, its rooms, persistence and projection. */
export interface Collab {
  /** Handles an HTTP upgrade on /collab/doc/<id>/<layer>: authenticates, authorises, then joins the room. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Runs `fn` against the live Y.Doc of a room (loading it if needed, keeping it alive meanwhile), so a
   * server-side write reaches connected clients at once and is persisted like any other update.
   */
  withDoc<T>(documentId: number, layer: LayerName, fn: (doc: Y.Doc) => T | Promise<T>): Promise<T>;
  /** Writes every pending update and projection change now. */
  flush(): Promise<void>;
  /** Closes every socket, flushes and unloads every room. */
  close(): Promise<void>;
  stats(): { rooms: number; connections: number };
}

export interface CollabDeps {
  db: Db;
  config: Config;
  log: Logger;
}

/** Placeholder until the collaboration server lands (issue 3). */
export function createCollab(_deps: CollabDeps): Collab {
  return {
    handleUpgrade(_req, socket) {
      socket.destroy();
    },
    async withDoc() {
      throw new Error("collaboration server not available");
    },
    async flush() {},
    async close() {},
    stats: () => ({ rooms: 0, connections: 0 }),
  };
}
