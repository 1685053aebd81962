/**
 * The projection (annotations, annotation_relations, layer_states) follows each layer within a second,
 * heals at load, and `gloss rebuild-projection` recomputes exactly the same tables from the Yjs store.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { all, call, get } from "@gloss/server/db/store";
import {
  addSpan,
  type LayerContext,
  listRelations,
  listSpans,
  seededRandom,
  setLayerStatus,
  userLayer,
} from "@gloss/shared";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { databaseUrlFor, onPostgres, withDataDir } from "../helpers/backend";
import { type CollabClient, connectClient, type Y } from "../helpers/collab";
import { randomEdit } from "../helpers/projection";
import { dumpProjectionOf } from "../helpers/projectionDump";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";
import { sqlRun } from "../helpers/sql";

const ROOT = path.resolve(import.meta.dirname, "../..");
let server: TestServer;
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.close();
});

const TEXT = "Sources close to the talks said a deal was near; the ministry called that premature.";

/** What the projection must hold for a layer, computed from the Y.Doc with the layer model alone. */
function expected(doc: Y.Doc) {
  return {
    spans: listSpans(doc)
      .map((s) => ({
        spanId: s.id,
        start: s.start,
        end: s.end,
        labelId: s.label,
        author: s.author,
        note: s.note ?? null,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt ?? null,
      }))
      .sort((a, b) => (a.spanId < b.spanId ? -1 : 1)),
    relations: listRelations(doc)
      .map((r) => ({
        relationId: r.id,
        fromSpan: r.from,
        toSpan: r.to,
        type: r.type,
        author: r.author,
        createdAt: r.createdAt,
      }))
      .sort((a, b) => (a.relationId < b.relationId ? -1 : 1)),
    state: (() => {
      const s = doc.getMap("state");
      return s.has("status") ? [{ status: s.get("status"), setBy: s.get("setBy") }] : [];
    })(),
  };
}

/** The projection rows of a layer, in the order `expected` sorts them (code unit order, on both databases). */
function projected(documentId: number, layer: string) {
  return call(server.store, function* (s) {
    const { annotations: a, annotationRelations: r, layerStates: l } = s.t;
    const byCodeUnits = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    const spans = yield* all(
      s.q
        .select({
          spanId: a.spanId,
          start: a.start,
          end: a.end,
          labelId: a.labelId,
          author: a.author,
          note: a.note,
          createdAt: a.createdAt,
          updatedAt: a.updatedAt,
        })
        .from(a)
        .where(and(eq(a.documentId, documentId), eq(a.layer, layer)))
        .orderBy(asc(a.spanId)),
    );
    const relations = yield* all(
      s.q
        .select({
          relationId: r.relationId,
          fromSpan: r.fromSpan,
          toSpan: r.toSpan,
          type: r.type,
          author: r.author,
          createdAt: r.createdAt,
        })
        .from(r)
        .where(and(eq(r.documentId, documentId), eq(r.layer, layer)))
        .orderBy(asc(r.relationId)),
    );
    const state = yield* all(
      s.q
        .select({ status: l.status, setBy: l.setBy })
        .from(l)
        .where(and(eq(l.documentId, documentId), eq(l.layer, layer))),
    );
    // PostgreSQL's ORDER BY follows the database's collation, not code units
    spans.sort((x, y) => byCodeUnits(x.spanId, y.spanId));
    relations.sort((x, y) => byCodeUnits(x.relationId, y.relationId));
    return { spans, relations, state };
  });
}

const dump = () => dumpProjectionOf(server.store);

describe("projection", () => {
  it("matches the Yjs state after random operations, and the rebuild gives the same tables", async () => {
    server = await startServer({ file: true });
    const ann = await addUser(server.store);
    const curator = await addUser(server.store);
    const project = await addProject(server.store, {
      members: [
        { user: ann, role: "annotator" },
        { user: curator, role: "curator" },
      ],
    });
    const otherProject = await addProject(server.store, { members: [{ user: ann, role: "annotator" }] });
    const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann] });
    const otherDoc = await addDocument(server.store, otherProject.id, TEXT, { assignTo: [ann] });
    const ctx: LayerContext = {
      text: TEXT,
      labelIds: new Set(project.labels.map((l) => l.id)),
      relationTypes: new Set(["attributes"]),
    };
    const labels = project.labels.map((l) => l.id);
    const mine = userLayer(ann.id);
    const layerClient = connectClient(server, {
      documentId: doc.id,
      layer: mine,
      auth: { cookie: ann.cookie },
    });
    const goldClient = connectClient(server, {
      documentId: doc.id,
      layer: "gold",
      auth: { cookie: curator.cookie },
    });
    const otherClient = connectClient(server, {
      documentId: otherDoc.id,
      layer: mine,
      auth: { token: ann.token },
    });
    clients.push(layerClient, goldClient, otherClient);
    await Promise.all(clients.map((c) => c.synced()));
    addSpan(
      otherClient.doc,
      { start: 0, end: 7, label: otherProject.labels[0]!.id, author: ann.id },
      { ...ctx, labelIds: new Set(otherProject.labels.map((l) => l.id)) },
    );

    const rand = seededRandom(42);
    for (let i = 0; i < 300; i++) {
      const c = rand() < 0.7 ? layerClient : goldClient;
      const author = c === layerClient ? ann.id : curator.id;
      randomEdit(c.doc, rand, { ctx, labels, author, note: `n${i}`, gold: c === goldClient });
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // The layer's status is the server's to write (a socket client may not): set it as the REST route does.
    const finalStatus = rand() < 0.5 ? "in_progress" : "done";
    await server.deps.collab.withDoc(doc.id, mine, (d) => setLayerStatus(d, finalStatus, ann.id));
    // Within a second of the last change (the projection writes at most 150 ms after one).
    await vi.waitFor(
      async () => {
        expect(await projected(doc.id, mine)).toEqual(expected(layerClient.doc));
        expect(await projected(doc.id, "gold")).toEqual(expected(goldClient.doc));
      },
      { timeout: 2_000, interval: 25 },
    );
    expect((await projected(doc.id, mine)).spans.length).toBeGreaterThan(5);
    // The annotator's own layer state moved their assignment.
    const status = layerClient.doc.getMap("state").get("status");
    expect(
      await call(server.store, function* (s) {
        const { assignments } = s.t;
        return yield* get(
          s.q
            .select({ status: assignments.status })
            .from(assignments)
            .where(and(eq(assignments.documentId, doc.id), eq(assignments.userId, ann.id))),
        );
      }),
    ).toEqual({ status: status ?? "in_progress" });

    await server.deps.collab.flush();
    const before = await dump();
    expect(before.rejections.length).toBeGreaterThan(0);
    // Wreck this project's projection; the CLI rebuild (a separate process on the same database) restores it.
    for (const t of ["annotations", "annotation_relations", "layer_states", "gold_rejections"])
      await sqlRun(server.store, sql`DELETE FROM ${sql.identifier(t)} WHERE project_id = ${project.id}`);
    const pg = onPostgres ? { GLOSS_DATABASE_URL: await databaseUrlFor(server.dataDir) } : {};
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "server/src/cli/main.ts", "rebuild-projection", "--project", String(project.id)],
      { cwd: ROOT, env: { ...process.env, GLOSS_DATA_DIR: server.dataDir, GLOSS_LOG_LEVEL: "error", ...pg } },
    );
    expect(stdout).toContain(
      `annotations  ${before.annotations.filter((r) => (r as { project_id: number }).project_id === project.id).length}`,
    );
    expect(await dump()).toEqual(before);
  }, 60_000);

  it("a projection left stale by a crash is reconciled when the layer loads after the restart", async () => {
    server = await startServer({ file: true });
    const ann = await addUser(server.store);
    const project = await addProject(server.store, { members: [{ user: ann, role: "annotator" }] });
    const doc = await addDocument(server.store, project.id, TEXT, { assignTo: [ann] });
    const ctx: LayerContext = { text: TEXT, labelIds: new Set(project.labels.map((l) => l.id)) };
    const layer = userLayer(ann.id);
    const c = connectClient(server, { documentId: doc.id, layer, auth: { cookie: ann.cookie } });
    clients.push(c);
    await c.synced();
    for (let i = 0; i < 5; i++)
      addSpan(c.doc, { start: i, end: i + 4, label: project.labels[0]!.id, author: ann.id }, ctx);
    await vi.waitFor(async () => expect(await projected(doc.id, layer)).toEqual(expected(c.doc)));
    const want = expected(c.doc);
    c.destroy();
    await expect.poll(() => server.deps.collab.metrics().rooms).toBe(0);
    // The process dies with its projection out of step with the Yjs store (rows lost, a row left over); a
    // process that is still running knows its own rows, so the crash is a restart on the same database.
    await server.close();
    await withDataDir(server.dataDir, async (dead) => {
      await sqlRun(
        dead,
        sql`DELETE FROM annotations WHERE span_id IN (SELECT span_id FROM annotations LIMIT 2)`,
      );
      await sqlRun(
        dead,
        sql`INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, created_at) VALUES (${project.id}, ${doc.id}, ${layer}, 'ghost', 0, 1, 1, 1)`,
      );
    });
    server = await startServer({ dataDir: server.dataDir });
    expect(await projected(doc.id, layer)).not.toEqual(want);
    const again = await server.deps.collab.withDoc(doc.id, layer, (d) => listSpans(d).length);
    expect(again).toBe(5);
    await vi.waitFor(async () => expect(await projected(doc.id, layer)).toEqual(want));
  });
});
