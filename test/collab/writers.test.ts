/**
 * Several writers on one store: the CLI (another process) writes into a layer that a running server holds
 * open. The server notices the rows, applies them live (clients see them without a reload), and its
 * compaction never erases them — after unload and after a restart every writer's spans are there.
 */
import fs from "node:fs";
import path from "node:path";
import { addSpan, type LayerContext, listSpans, userLayer } from "@gloss/shared";
import { afterEach, describe, expect, it } from "vitest";
import { type CollabClient, connectClient } from "../helpers/collab";
import { runCli } from "../helpers/factories";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

const TEXT = "Police said the protest was peaceful. Organisers denied it.";

let server: TestServer;
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server?.close();
});

/** A server on a database file, an annotator's layer, and the annotator connected to it live. */
async function annotatorLive() {
  server = await startServer({ file: true });
  const ann = await addUser(server.store);
  const project = await addProject(server.store, { members: [{ user: ann, role: "annotator" }] });
  const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann] });
  const layer = userLayer(ann.id);
  const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
  const live = connectClient(server, { documentId: doc.id, layer, auth: { cookie: ann.cookie } });
  clients.push(live);
  await live.synced();
  return { dataDir: server.dataDir, ann, project, doc, layer, ctx, live };
}

describe("a CLI write into a layer the server holds open", () => {
  it("reaches live clients and survives unload and restart", async () => {
    const { dataDir, ann, project, doc, layer, ctx, live } = await annotatorLive();

    // The CLI imports two spans into the same layer, from another process.
    const file = path.join(dataDir, "preds.jsonl");
    fs.writeFileSync(
      file,
      `${JSON.stringify({
        id: doc.id,
        text: TEXT,
        spans: [
          { start: 0, end: 6, label: "attribution", text: "Police" },
          { start: 38, end: 48, label: "attribution", text: "Organisers" },
        ],
      })}\n`,
    );
    const cli = await runCli(
      ["import-annotations", String(project.id), file, "--format", "gloss", "--layer", layer],
      {
        dataDir,
      },
    );
    expect(cli.stderr).toBe("");
    expect(cli.stdout).toMatch(/Imported 2 span/);
    expect(cli.code).toBe(0);

    // Live, without a reload.
    await expect.poll(() => listSpans(live.doc).length, { timeout: 5_000 }).toBe(2);
    expect(server.deps.collab.metrics().externalUpdates).toBeGreaterThan(0);

    // The annotator types a third span; then leaves, and the room unloads (compaction runs).
    addSpan(live.doc, { start: 49, end: 55, label: project.labels[1]!.id, author: ann.id }, ctx);
    await expect.poll(() => server.deps.collab.withDoc(doc.id, layer, (d) => d.getMap("spans").size)).toBe(3);
    live.destroy();
    clients.length = 0;
    await expect.poll(() => server.deps.collab.stats().rooms, { timeout: 5_000 }).toBe(0);
    const afterUnload = await server.deps.collab.withDoc(doc.id, layer, (d) =>
      listSpans(d).map((s) => s.start),
    );
    expect(afterUnload).toEqual([0, 38, 49]);

    // And after a restart.
    await server.close();
    server = await startServer({ dataDir });
    const afterRestart = await server.deps.collab.withDoc(doc.id, layer, (d) =>
      listSpans(d).map((s) => s.start),
    );
    expect(afterRestart).toEqual([0, 38, 49]);
  }, 60_000);

  it("the CLI compacting a room the server holds never erases the server's rows", async () => {
    const { dataDir, ann, project, doc, layer, ctx, live } = await annotatorLive();
    // The server's rows first (not compacted: the room stays open)…
    addSpan(live.doc, { start: 7, end: 11, label: project.labels[0]!.id, author: ann.id }, ctx);
    await expect.poll(() => server.deps.collab.withDoc(doc.id, layer, (d) => d.getMap("spans").size)).toBe(1);
    // …then the CLI writes and compacts the same room when it unloads it.
    const file = path.join(dataDir, "one.jsonl");
    fs.writeFileSync(
      file,
      `${JSON.stringify({ id: doc.id, text: TEXT, spans: [{ start: 0, end: 6, label: "attribution", text: "Police" }] })}\n`,
    );
    const cli = await runCli(
      ["import-annotations", String(project.id), file, "--format", "gloss", "--layer", layer],
      {
        dataDir,
      },
    );
    expect(cli.code).toBe(0);
    await expect.poll(() => listSpans(live.doc).length, { timeout: 5_000 }).toBe(2);
    live.destroy();
    clients.length = 0;
    await expect.poll(() => server.deps.collab.stats().rooms, { timeout: 5_000 }).toBe(0);
    await server.close();
    server = await startServer({ dataDir });
    const starts = await server.deps.collab.withDoc(doc.id, layer, (d) => listSpans(d).map((s) => s.start));
    expect(starts).toEqual([0, 7]);
  }, 60_000);
});
