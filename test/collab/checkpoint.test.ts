/**
 * WAL checkpoints run in a worker thread, not inside a commit on the event loop (see checkpointer.ts).
 * The WAL header's checkpoint sequence number (bytes 12–15) only advances when a writer restarts a fully
 * checkpointed WAL — with the automatic checkpoint off, that happens only if the worker checkpoints.
 */
import fs from "node:fs";
import path from "node:path";
import { addSpan } from "@gloss/shared";
import { afterEach, describe, expect, it } from "vitest";
import { onPostgres } from "../helpers/backend";
import { seedDocument, seedProject, seedUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const walSequence = (file: string) => fs.readFileSync(`${file}-wal`).readUInt32BE(12);

// SQLite only: the WAL file and its checkpoints are SQLite's (PostgreSQL has no such file to inspect)
describe.skipIf(onPostgres)("background WAL checkpoints", () => {
  it("are taken off the event loop, and the automatic checkpoint is restored on close", async () => {
    server = await startServer({ file: true });
    const file = path.join(server.dataDir, "gloss.db");
    const sqlite = server.db.$client;
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const user = seedUser(server.db);
    const project = seedProject(server.db, { mode: "shared", members: [{ user, role: "annotator" }] });
    const text = "A text to annotate, again and again.";
    const doc = seedDocument(server.db, project.id, text, { assignTo: [user] });
    const ctx = { text, labelIds: new Set(project.labels.map((l) => l.id)) };
    const write = () =>
      server.deps.collab.withDoc(doc.id, "shared", (d) =>
        addSpan(d, { start: 0, end: 4, label: project.labels[0]!.id, author: user.id }, ctx),
      );
    await write();
    const before = walSequence(file);
    // Keep committing until a writer restarts the WAL after the worker's checkpoint (bounded by the poll).
    await expect
      .poll(
        async () => {
          await write();
          return walSequence(file);
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBeGreaterThan(before);
    await server.deps.collab.close();
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  });
});
