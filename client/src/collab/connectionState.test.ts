import { expect, test } from "vitest";
import { type ConnectionFacts, connectionState } from "./connectionState";

const base: ConnectionFacts = {
  online: true,
  wsconnected: false,
  synced: false,
  failedAttempts: 0,
  terminalCode: null,
};

test("connected only once synced; the first attempt is syncing; failed attempts mean offline", () => {
  expect(connectionState(base)).toBe("syncing");
  expect(connectionState({ ...base, wsconnected: true })).toBe("syncing");
  expect(connectionState({ ...base, wsconnected: true, synced: true })).toBe("connected");
  expect(connectionState({ ...base, failedAttempts: 2 })).toBe("offline");
  expect(connectionState({ ...base, online: false, wsconnected: true, synced: true })).toBe("offline");
});

test("terminal close codes win over everything", () => {
  expect(connectionState({ ...base, terminalCode: 4401 })).toBe("signed-out");
  expect(connectionState({ ...base, terminalCode: 4403, online: false })).toBe("forbidden");
  expect(connectionState({ ...base, terminalCode: 4404 })).toBe("not-found");
});
