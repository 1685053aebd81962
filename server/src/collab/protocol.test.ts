import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  decodeAwarenessUpdate,
  decodeClientMessage,
  encodeAwarenessEntries,
  encodeSyncStep1,
  encodeUpdate,
  ProtocolError,
} from "./protocol";

const frame = (...parts: Array<(e: encoding.Encoder) => void>) => {
  const e = encoding.createEncoder();
  for (const p of parts) p(e);
  return encoding.toUint8Array(e);
};

describe("decodeClientMessage", () => {
  it("decodes the four client messages of the y-websocket protocol", () => {
    const doc = new Y.Doc();
    doc.getMap("spans").set("a", { start: 0, end: 1 });
    expect(decodeClientMessage(encodeSyncStep1(doc))).toEqual({
      kind: "sync-step1",
      stateVector: Y.encodeStateVector(doc),
    });
    const update = Y.encodeStateAsUpdate(doc);
    expect(decodeClientMessage(encodeUpdate(update))).toEqual({ kind: "update", update });
    const step2 = frame(
      (e) => encoding.writeVarUint(e, 0),
      (e) => encoding.writeVarUint(e, 1),
      (e) => encoding.writeVarUint8Array(e, update),
    );
    expect(decodeClientMessage(step2)).toEqual({ kind: "sync-step2", update });
    expect(decodeClientMessage(Uint8Array.of(3))).toEqual({ kind: "query-awareness" });
  });

  it("rejects unknown types, truncation and trailing bytes", () => {
    expect(() => decodeClientMessage(new Uint8Array())).toThrow();
    expect(() => decodeClientMessage(Uint8Array.of(2))).toThrow(ProtocolError); // auth: not from clients
    expect(() => decodeClientMessage(Uint8Array.of(9))).toThrow(ProtocolError);
    expect(() => decodeClientMessage(Uint8Array.of(0, 7, 0))).toThrow(ProtocolError);
    expect(() => decodeClientMessage(Uint8Array.of(0, 2, 5, 1, 2))).toThrow(); // payload shorter than its length
    expect(() => decodeClientMessage(Uint8Array.of(3, 0))).toThrow(ProtocolError);
    expect(() => decodeClientMessage(Uint8Array.of(0x80, 0x80, 0x80))).toThrow();
  });
});

describe("awareness updates", () => {
  it("round-trip entries and refuse non-JSON states or lying counts", () => {
    const entries = [
      { clientID: 7, clock: 3, json: '{"user":{"name":"a"}}' },
      { clientID: 9, clock: 1, json: "null" },
    ];
    expect(decodeAwarenessUpdate(encodeAwarenessEntries(entries))).toEqual(entries);
    expect(() =>
      decodeAwarenessUpdate(encodeAwarenessEntries([{ clientID: 1, clock: 1, json: "{" }])),
    ).toThrow();
    expect(() => decodeAwarenessUpdate(frame((e) => encoding.writeVarUint(e, 1_000_000)))).toThrow(
      ProtocolError,
    );
  });
});
