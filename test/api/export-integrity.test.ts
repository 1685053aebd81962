/**
 * Integrity of what exports read, over a real server and a real database: unsound rows written straight into
 * the projection are skipped and counted (every format, agreement, curation), an export stops as soon as
 * its client goes away (and shutdown does not wait past its grace), the default gold export leaves
 * un-curated documents out and says how many, and a Hugging Face split is never silently empty.
 */
import { call, run, type Store } from "@gloss/server/db/store";
import { exportActivity } from "@gloss/server/services/export";
import { readZip } from "@gloss/server/services/importAnnotations";
import { EXPORT_FORMATS } from "@gloss/shared";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { onPostgres } from "../helpers/backend";
import { useServer } from "../helpers/factories";
import { ApiClient, getWithTrailers } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer } from "../helpers/server";
import { sqlRun } from "../helpers/sql";
import { addWorld, markCuration } from "../helpers/world";

const ctx = useServer();

const as = (u: SeededUser, base = ctx.server.url) => {
  const c = new ApiClient(base);
  c.cookie = u.cookie;
  return c;
};
const jsonl = (s: string) =>
  s
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

// "Hello " (6 units), then 😀 at UTF-16 6–7, then the rest
const TEXT = "Hello 😀 world. Second sentence here.";

/**
 * Raw SQL, as a hostile client's projection could have left it (SQLite's columns are not STRICT; PostgreSQL's
 * integer columns refuse what is not an integer of their range).
 */
function insertRaw(
  store: Store,
  projectId: number,
  documentId: number,
  layer: string,
  spanId: string,
  start: unknown,
  end: unknown,
  labelId: unknown,
) {
  return sqlRun(
    store,
    sql`INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, created_at)
        VALUES (${projectId}, ${documentId}, ${layer}, ${spanId}, ${start}, ${end}, ${labelId}, 1700000000000)`,
  );
}
function insertRelation(
  store: Store,
  projectId: number,
  documentId: number,
  layer: string,
  id: string,
  from: string,
  to: string,
) {
  return sqlRun(
    store,
    sql`INSERT INTO annotation_relations (project_id, document_id, layer, relation_id, from_span, to_span, type, created_at)
        VALUES (${projectId}, ${documentId}, ${layer}, ${id}, ${from}, ${to}, 'supports', 1700000000000)`,
  );
}

/**
 * One good span and one bad row of every kind, plus two relations whose ends are missing. PostgreSQL's
 * integer columns cannot hold the two rows whose offsets are not integers (1.5, "abc") nor an end past
 * 2^31 - 1: there the huge row ends at that bound instead (still outside the text), and the other two
 * cannot exist.
 */
async function insertBadLayer(
  store: Store,
  projectId: number,
  documentId: number,
  layer: string,
  label: number,
) {
  await insertRaw(store, projectId, documentId, layer, "good", 0, 5, label);
  await insertRaw(
    store,
    projectId,
    documentId,
    layer,
    "huge",
    0,
    onPostgres ? 2147483647 : 9007199254740991,
    424242,
  );
  if (!onPostgres) {
    await insertRaw(store, projectId, documentId, layer, "real", 1.5, 3, label);
    await insertRaw(store, projectId, documentId, layer, "text", "abc", 3, label);
  }
  await insertRaw(store, projectId, documentId, layer, "reversed", 5, 2, label);
  await insertRaw(store, projectId, documentId, layer, "surrogate", 7, 9, label);
  await insertRaw(store, projectId, documentId, layer, "beyond", 3, TEXT.length + 1, label);
  await insertRaw(store, projectId, documentId, layer, "nolabel", 0, 5, 424242);
  await insertRelation(store, projectId, documentId, layer, "r-missing", "good", "nope");
  await insertRelation(store, projectId, documentId, layer, "r-bad", "good", "huge");
}
/** The rows whose offsets are not integers (SQLite only, see insertBadLayer). */
const NOT_INTEGERS = onPostgres ? 0 : 2;
const BAD_REASONS = `${onPostgres ? "" : "offsets_not_integers=2,"}empty_or_reversed=1,outside_text=2,splits_surrogate_pair=1,unknown_label=1,relation_missing_end=2`;

async function badWorld() {
  const store = ctx.server.store;
  const manager = await addUser(store);
  const a = await addUser(store);
  const b = await addUser(store);
  const project = await addProject(store, {
    labels: ["claim", "denial"],
    members: [
      { user: manager, role: "manager" },
      { user: a, role: "annotator" },
      { user: b, role: "annotator" },
    ],
  });
  const doc = await addDocument(store, project.id, TEXT, { name: "bad", assignTo: [a, b] });
  const claim = project.labels[0]!.id;
  await insertBadLayer(store, project.id, doc.id, "gold", claim);
  await markCuration(store, doc.id, "done");
  return { store, manager, a, b, project, doc, claim };
}

describe("unsound stored rows", () => {
  it("every format finishes, exports the good span and counts the bad rows as skipped", async () => {
    const { manager, project } = await badWorld();
    for (const format of EXPORT_FORMATS) {
      const res = await getWithTrailers(
        ctx.server.url + `/api/projects/${project.id}/export?format=${format}`,
        manager.cookie,
      );
      expect(res.status, format).toBe(200);
      expect(res.trailers["x-gloss-skipped-rows"], format).toBe(String(7 + NOT_INTEGERS));
      expect(res.trailers["x-gloss-skipped-reasons"], format).toBe(BAD_REASONS);
      if (format === "gloss") {
        const [line] = jsonl(res.body.toString("utf8"));
        expect(line.spans.map((s: { id: string; text: string }) => [s.id, s.text])).toEqual([
          ["good", "Hello"],
        ]);
        expect(line.relations).toEqual([]);
      }
      if (format === "brat") {
        const files = readZip(new Uint8Array(res.body));
        const ann = [...files].find(([n]) => n.endsWith(".ann"))!;
        expect(new TextDecoder().decode(ann[1])).toBe("T1\tclaim 0 5\tHello\n");
      }
      if (format === "huggingface") {
        const card = new TextDecoder().decode(readZip(new Uint8Array(res.body)).get("README.md")!);
        expect(card).toContain(`Stored rows skipped as unsound: ${7 + NOT_INTEGERS} (${BAD_REASONS}).`);
      }
    }
  });

  it("agreement skips and counts them, and compares the good spans", async () => {
    const { store, manager, a, b, project, doc, claim } = await badWorld();
    await insertBadLayer(store, project.id, doc.id, `user-${a.id}`, claim);
    await insertRaw(store, project.id, doc.id, `user-${b.id}`, "good", 0, 5, claim);
    const report = await as(manager).get<{
      skippedRows: { total: number; byReason: Record<string, number>; rooms: string[] };
      overall: { f1Exact: { value: number | null } };
      annotators: Array<{ layer: string }>;
    }>(`/api/projects/${project.id}/agreement`);
    // relations are not read by agreement: the 7 bad spans of user-a
    const bad = 5 + NOT_INTEGERS;
    expect(report.skippedRows.total).toBe(bad);
    expect(report.skippedRows.byReason).toEqual({
      ...(NOT_INTEGERS ? { offsets_not_integers: NOT_INTEGERS } : {}),
      empty_or_reversed: 1,
      outside_text: 2,
      splits_surrogate_pair: 1,
      unknown_label: 1,
    });
    expect(report.skippedRows.rooms).toEqual([`doc/${doc.id}/user-${a.id} (${bad})`]);
    expect(report.overall.f1Exact.value).toBe(1);
  });

  it("the curation views skip them", async () => {
    const { store, manager, a, project, doc, claim } = await badWorld();
    await insertBadLayer(store, project.id, doc.id, `user-${a.id}`, claim);
    const one = await as(manager).get<{ annotators: Array<{ layer: string; spans: number }> }>(
      `/api/documents/${doc.id}/curation`,
    );
    expect(one.annotators.find((x) => x.layer === `user-${a.id}`)!.spans).toBe(1);
    const list = await as(manager).request("GET", `/api/projects/${project.id}/curation`);
    expect(list.status).toBe(200);
  });
});

/** Many documents, so that an export has many pages (200 documents each). */
async function bulkProject(store: Store, manager: SeededUser, n: number, repeat = 40) {
  const project = await addProject(store, { members: [{ user: manager, role: "manager" }] });
  const text = "The minister said taxes will rise. ".repeat(repeat);
  const rows = Array.from({ length: n }, (_, i) => ({
    projectId: project.id,
    name: `bulk-${i}`,
    text: `${i} ${text}`,
    sha256: `sha-${i}`,
    length: text.length + 6,
  }));
  await call(store, function* (s) {
    for (let i = 0; i < rows.length; i += 250)
      yield* run(s.q.insert(s.t.documents).values(rows.slice(i, i + 250)));
  });
  return project;
}

describe("an export stops when its client goes away", () => {
  it("aborting the fetch after the first chunk stops reading pages", async () => {
    const store = ctx.server.store;
    const manager = await addUser(store);
    const project = await bulkProject(store, manager, 4000); // 20 pages
    const activity = exportActivity(store);
    const before = { ...activity };
    const ctrl = new AbortController();
    const res = await fetch(
      `${ctx.server.url}/api/projects/${project.id}/export?format=gloss&includeUncurated=true`,
      {
        headers: { cookie: manager.cookie },
        signal: ctrl.signal,
      },
    );
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    ctrl.abort();
    await vi.waitFor(() => expect(activity.finished).toBe(before.finished + 1), { timeout: 5000 });
    expect(activity.stopped).toBe(before.stopped + 1);
    expect(activity.running).toBe(0);
    const pages = activity.pages - before.pages;
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThan(20);
    // and it stays stopped: nothing is produced after the finally block ran
    await new Promise((r) => setImmediate(r));
    expect(activity.pages - before.pages).toBe(pages);
  });

  it("shutdown waits no longer than the grace period for a running export", async () => {
    const server = await startServer({ config: { shutdownGraceMs: 50 } });
    try {
      const manager = await addUser(server.store);
      const project = await bulkProject(server.store, manager, 3000, 300); // ~30 MB: more than socket buffers hold
      const activity = exportActivity(server.store);
      const res = await fetch(
        `${server.url}/api/projects/${project.id}/export?format=gloss&includeUncurated=true`,
        {
          headers: { cookie: manager.cookie },
        },
      );
      const reader = res.body!.getReader();
      expect((await reader.read()).done).toBe(false); // then the client stalls, never reading again
      expect(activity.running).toBe(1);
      await server.close();
      expect(activity.running).toBe(0);
      expect(activity.stopped).toBe(1);
      await reader.cancel().catch(() => {});
    } finally {
      await server.close();
    }
  });
});

describe("un-curated documents", () => {
  it("the default gold export holds curated documents only and reports how many it left out", async () => {
    const w = await addWorld(ctx.server.store);
    const [d0, d1] = w.docs;
    await markCuration(ctx.server.store, d0!.id, "done");
    await markCuration(ctx.server.store, d1!.id, "done");
    await markCuration(ctx.server.store, w.docs[2]!.id, "in_progress");
    const url = `/api/projects/${w.project.id}/export?format=gloss`;
    const res = await getWithTrailers(ctx.server.url + url, w.manager.cookie);
    expect(jsonl(res.body.toString("utf8")).map((l) => l.id)).toEqual([d0!.id, d1!.id]);
    expect(res.headers["x-gloss-uncurated-excluded"]).toBe(String(w.docs.length - 2));
    expect(res.trailers["x-gloss-uncurated-excluded"]).toBe(String(w.docs.length - 2));
    expect(res.trailers["x-gloss-documents"]).toBe("2");

    const all = await getWithTrailers(ctx.server.url + `${url}&includeUncurated=true`, w.manager.cookie);
    expect(jsonl(all.body.toString("utf8"))).toHaveLength(w.docs.length);
    expect(all.trailers["x-gloss-uncurated-excluded"]).toBe("0");

    const hf = await getWithTrailers(
      ctx.server.url + `/api/projects/${w.project.id}/export?format=huggingface&granularity=document`,
      w.manager.cookie,
    );
    const card = new TextDecoder().decode(readZip(new Uint8Array(hf.body)).get("README.md")!);
    expect(card).toContain(`- Documents not curated (curation not done): ${w.docs.length - 2}.`);
  });
});

describe("Hugging Face splits", () => {
  it("two documents with the default 80/10/10 split: no split is silently empty, the card says so", async () => {
    const store = ctx.server.store;
    const manager = await addUser(store);
    const project = await addProject(store, {
      labels: ["claim"],
      members: [{ user: manager, role: "manager" }],
    });
    for (const text of [
      "Taxes will rise. The minister said so. Nobody believed it.",
      "Prices fell. Markets rallied.",
    ]) {
      const d = await addDocument(store, project.id, text);
      await insertRaw(store, project.id, d.id, "gold", "s1", 0, 5, project.labels[0]!.id);
      await markCuration(store, d.id, "done");
    }
    const res = await getWithTrailers(
      ctx.server.url + `/api/projects/${project.id}/export?format=huggingface`,
      manager.cookie,
    );
    expect(res.status).toBe(200);
    const files = readZip(new Uint8Array(res.body));
    const counts = ["train", "validation", "test"].map(
      (s) => jsonl(new TextDecoder().decode(files.get(`${s}.jsonl`)!)).length,
    );
    expect(counts.reduce((x, y) => x + y, 0)).toBe(5); // every sentence, once
    for (const c of counts) expect(c).toBeGreaterThan(0);
    const card = new TextDecoder().decode(files.get("README.md")!);
    expect(card).toContain("- Split fallback: 2 document(s) cannot fill the 3 splits");
    expect(card).toContain("sentences (not documents) shuffled with seed 42");
    expect(card).toContain(`  - name: train\n    num_examples: ${counts[0]}`);
  });
});
