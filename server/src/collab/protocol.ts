/**
 * The y-websocket wire protocol (what the stock `y-websocket` WebsocketProvider speaks), decoded strictly.
 *
 * A frame is `varUint messageType` followed by its payload:
 * - 0 sync: `varUint syncType` (0 step 1 = state vector, 1 step 2 = update, 2 update) + `varUint8Array`;
 * - 1 awareness: `varUint8Array` (an awareness update);
 * - 3 query-awareness: nothing.
 * Anything else, a truncated payload or trailing bytes is a ProtocolError: the caller closes that socket with
 * 4400 (we do not use y-protocols' readSyncMessage, which swallows decoding errors and would apply half).
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";

export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3 } as const;
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;

/** A frame that does not follow the protocol. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export type ClientMessage =
  | { kind: "sync-step1"; stateVector: Uint8Array }
  | { kind: "sync-step2"; update: Uint8Array }
  | { kind: "update"; update: Uint8Array }
  | { kind: "awareness"; update: Uint8Array }
  | { kind: "query-awareness" };

/** Decodes one client frame; throws ProtocolError (or a lib0 decoding error) when it is malformed. */
export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  const d = decoding.createDecoder(frame);
  const type = decoding.readVarUint(d);
  let msg: ClientMessage;
  switch (type) {
    case MessageType.Sync: {
      const syncType = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (syncType === SyncType.Step1) msg = { kind: "sync-step1", stateVector: payload };
      else if (syncType === SyncType.Step2) msg = { kind: "sync-step2", update: payload };
      else if (syncType === SyncType.Update) msg = { kind: "update", update: payload };
      else throw new ProtocolError(`unknown sync message type ${syncType}`);
      break;
    }
    case MessageType.Awareness:
      msg = { kind: "awareness", update: decoding.readVarUint8Array(d) };
      break;
    case MessageType.QueryAwareness:
      msg = { kind: "query-awareness" };
      break;
    default:
      throw new ProtocolError(`unsupported message type ${type}`);
  }
  if (decoding.hasContent(d)) throw new ProtocolError("trailing bytes after the message");
  return msg;
}

const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

/** Sync step 1: our state vector, asking the peer for what we lack. */
export const encodeSyncStep1 = (doc: Y.Doc): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, SyncType.Step1);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  });

/** Sync step 2: everything in `doc` the peer with `stateVector` lacks (throws on a malformed vector). */
export const encodeSyncStep2 = (doc: Y.Doc, stateVector: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, SyncType.Step2);
    encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector));
  });

/** An incremental document update. */
export const encodeUpdate = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, SyncType.Update);
    encoding.writeVarUint8Array(e, update);
  });

/** An awareness update (already encoded by y-protocols). */
export const encodeAwareness = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.Awareness);
    encoding.writeVarUint8Array(e, update);
  });

export interface AwarenessEntry {
  clientID: number;
  clock: number;
  /** The state as JSON text (`null` marks the client offline). */
  json: string;
}

/** Decodes an awareness update completely (each state must be JSON) before anything of it is applied. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  // Each entry takes at least 3 bytes: a count larger than the payload is a lie, not a reason to loop.
  if (n > update.length) throw new ProtocolError(`awareness update claims ${n} entries`);
  const out: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientID = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const json = decoding.readVarString(d);
    JSON.parse(json);
    out.push({ clientID, clock, json });
  }
  if (decoding.hasContent(d)) throw new ProtocolError("trailing bytes after the awareness update");
  return out;
}

/** Encodes awareness entries back into an update (after filtering). */
export const encodeAwarenessEntries = (entries: AwarenessEntry[]): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientID);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, entry.json);
    }
  });
