/**
 * Durability: the server runs in a child process (so it can really be killed), with a file database.
 * Updates are committed before they are fanned out, so whatever another client received before a SIGKILL
 * must be there after the restart; a clean restart restores every layer exactly.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { addSpan, type LayerContext, listSpans, spansOf } from "@gloss/shared";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDataDir } from "../helpers/backend";
import { type CollabClient, connectClient, Y } from "../helpers/collab";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { sqlRow } from "../helpers/sql";
import { type ChildServer, startChildServer } from "./fixtures/child";

const children: ChildServer[] = [];
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const child of children.splice(0)) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
    await child.exited;
  }
});

const TEXT = "The company reported record profits while workers said wages had not moved in years.";
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function start(dataDir: string, port = 0) {
  const child = await startChildServer(dataDir, port);
  children.push(child);
  return child;
}

describe("durability", () => {
  it("SIGKILL while streaming loses nothing another client received; a clean restart restores exactly", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-durability-"));
    const seeding = await openDataDir(dataDir);
    const db = seeding.store;
    const alice = await addUser(db);
    const bob = await addUser(db);
    const project = await addProject(db, {
      mode: "shared",
      members: [
        { user: alice, role: "annotator" },
        { user: bob, role: "annotator" },
      ],
    });
    const doc = await addDocument(db, project.id, TEXT, { assignTo: [alice, bob] });
    await seeding.close();
    const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
    const label = project.labels[0]!.id;
    const open = (target: { url: string }, auth: { cookie?: string; token?: string }) => {
      const c = connectClient(target, { documentId: doc.id, layer: "shared", auth });
      clients.push(c);
      return c;
    };

    let child = await start(dataDir);
    const port = child.port;
    const writer = open(child, { cookie: alice.cookie });
    const observer = open(child, { token: bob.token });
    await Promise.all([writer.synced(), observer.synced()]);
    const received = new Set<string>();
    const observed = spansOf(observer.doc);
    observed.observe((e) => {
      for (const k of e.keysChanged) if (observed.has(k)) received.add(k);
    });

    // The writer streams spans (bounded); the server is killed mid-stream.
    let streaming = true;
    const stream = (async () => {
      for (let i = 0; i < 50_000 && streaming; i++) {
        addSpan(writer.doc, { start: i % 60, end: (i % 60) + 7, label, author: alice.id }, ctx);
        if (i % 4 === 0) await turn();
      }
    })();
    await expect.poll(() => received.size, { timeout: 30_000 }).toBeGreaterThan(300);
    child.proc.kill("SIGKILL");
    expect(await child.exited).toBe("SIGKILL");
    // Frames already in the observer's socket were sent before the kill: they count as received too.
    await vi.waitFor(() => expect(observer.provider.wsconnected).toBe(false));
    streaming = false;
    await stream;
    writer.provider.disconnect();
    observer.provider.disconnect();
    const receivedBeforeKill = [...received];
    expect(listSpans(writer.doc).length).toBeGreaterThan(receivedBeforeKill.length);

    // Restart on the same port; a client with no local state reads what survived.
    child = await start(dataDir, port);
    const fresh = open(child, { cookie: bob.cookie });
    await fresh.synced();
    const survived = spansOf(fresh.doc);
    expect(receivedBeforeKill.filter((id) => !survived.has(id))).toEqual([]);

    // Nothing is lost for good: the writer still holds the rest and resyncs it on reconnect.
    writer.provider.connect();
    observer.provider.connect();
    await vi.waitFor(
      () => {
        const all = listSpans(writer.doc);
        expect(listSpans(observer.doc)).toEqual(all);
        expect(listSpans(fresh.doc)).toEqual(all);
      },
      { timeout: 15_000, interval: 50 },
    );

    // A clean shutdown (flush, compaction) and restart restores the layer exactly.
    const spans = listSpans(writer.doc);
    const stateVector = Y.encodeStateVector(writer.doc);
    for (const c of clients.splice(0)) c.destroy();
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    child = await start(dataDir, port);
    const after = open(child, { token: alice.token });
    await after.synced();
    expect(listSpans(after.doc)).toEqual(spans);
    expect(Y.encodeStateVector(after.doc)).toEqual(stateVector);
    const check = await openDataDir(dataDir);
    try {
      // The clean shutdown compacted the log into one snapshot.
      const count = (table: string) =>
        sqlRow(check.store, sql`SELECT cast(count(*) as integer) AS n FROM ${sql.identifier(table)}`);
      expect(await count("yjs_updates")).toEqual({ n: 0 });
      expect(await count("yjs_snapshots")).toEqual({ n: 1 });
    } finally {
      await check.close();
    }
  }, 120_000);
});
