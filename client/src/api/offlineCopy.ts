/**
 * The last answers of the reads a page needs to open without a network (issue 13 item 12): who is signed
 * in, and each opened document with its project and team. Kept in this browser's IndexedDB (as the
 * layers themselves are, collab/useLayerConnection.ts) and answered instead only when the network failed
 * (an ApiError with status 0) — never instead of a server's answer. The service worker never caches API
 * responses; this is the app's own, per-read choice. Cleared whenever the user changes.
 */
import { ApiError } from "./client";

const DB_NAME = "gloss:offline-reads";
const STORE = "reads";

function open(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === "undefined") return Promise.resolve(null);
  return new Promise((resolve) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>) {
  const db = await open();
  if (!db) return undefined;
  try {
    return await new Promise<T | undefined>((resolve) => {
      const req = act(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(undefined);
    });
  } finally {
    db.close();
  }
}

/** Forgets every kept read (sign-in, sign-out, another user). */
export function clearOfflineCopies(): Promise<void> {
  return run("readwrite", (s) => s.clear()).then(() => undefined);
}

/** Keeps `value` as the last answer of `key` (an answer that did not come through withOfflineCopy). */
export function keepOfflineCopy(key: string, value: unknown): Promise<void> {
  return run("readwrite", (s) => s.put(value, key)).then(() => undefined);
}

/**
 * `read()`, keeping its answer under `key`; when the network failed, the answer kept last time, if any
 * (else the failure). A server's refusal (any HTTP status) is never replaced.
 */
export async function withOfflineCopy<T>(key: string, read: () => Promise<T>): Promise<T> {
  try {
    const value = await read();
    void run("readwrite", (s) => s.put(value, key));
    return value;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 0) throw err;
    const kept = await run<T>("readonly", (s) => s.get(key));
    if (kept === undefined) throw err;
    return kept;
  }
}
