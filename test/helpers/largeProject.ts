/**
 * A large project for the tests that prove heavy reads leave live editing alone: `documents` documents,
 * three annotators with 20 spans each per document (mostly agreeing), inserted into the projection tables of
 * the real schema as the collaboration layer would have projected them; and a live room of its first
 * document whose updates' delivery delays are measured while a request runs.
 */
import { createHash } from "node:crypto";
import { addSpan, type LayerContext, seededRandom, spansOf, userLayer } from "@gloss/shared";
import { vi } from "vitest";
import { type CollabClient, connectClient } from "./collab";
import { addProject, addUser, type SeededProject, type SeededUser, seedProject, seedUser } from "./seed";
import type { TestServer } from "./server";

export const LARGE_TEXT =
  "The minister said the economy will grow next year, but critics denied it and analysts expected prices to rise. ".repeat(
    12,
  );

export interface LargeProject {
  manager: SeededUser;
  annotators: SeededUser[];
  p: SeededProject;
  /** The first document's id (the live room's). */
  first: number;
}

/** One projected span row of a large project's document. */
interface LargeSpan {
  layer: string;
  spanId: string;
  start: number;
  end: number;
  label: number;
  author: number;
}

/**
 * One document's spans: 20 drawn places, each annotator's version of them (the first annotator's as drawn,
 * the others' agreeing 70 % of the time, a longer end 15 %, the first label 15 %). The same `rand` draws
 * the same project on either dialect.
 */
function largeDocumentSpans(rand: () => number, labels: number[], annotators: SeededUser[]): LargeSpan[] {
  const base = Array.from({ length: 20 }, (_, i) => {
    const start = i * 60 + Math.floor(rand() * 30);
    return [start, start + 5 + Math.floor(rand() * 20), labels[Math.floor(rand() * labels.length)]!] as const;
  });
  const out: LargeSpan[] = [];
  annotators.forEach((a, n) => {
    base.forEach(([s, e, l], i) => {
      const r = rand();
      const [start, end, label] =
        n === 0 || r < 0.7 ? [s, e, l] : r < 0.85 ? [s, e + 3, l] : [s, e, labels[0]!];
      out.push({ layer: userLayer(a.id), spanId: `s${i}`, start, end, label, author: a.id });
    });
  });
  return out;
}

/** Seeds the project into `server`'s database (document `d`'s text is LARGE_TEXT + d, its name `doc-d`). */
export function largeProject(server: TestServer, documents: number): LargeProject {
  const db = server.db;
  const manager = seedUser(db);
  const annotators = [seedUser(db), seedUser(db), seedUser(db)];
  const p = seedProject(db, {
    members: [
      { user: manager, role: "manager" },
      ...annotators.map((user) => ({ user, role: "annotator" as const })),
    ],
  });
  const labels = p.labels.map((l) => l.id);
  const rand = seededRandom(7);
  const sqlite = db.$client;
  const insertDoc = sqlite.prepare(
    "INSERT INTO documents (project_id, name, text, sha256, length) VALUES (?, ?, ?, ?, ?)",
  );
  const insertSpan = sqlite.prepare(
    'INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let first = 0;
  sqlite.transaction(() => {
    for (let d = 0; d < documents; d++) {
      const text = `${LARGE_TEXT}${d}`;
      const sha = createHash("sha256").update(text).digest("hex");
      const id = Number(insertDoc.run(p.id, `doc-${d}`, text, sha, text.length).lastInsertRowid);
      if (!first) {
        first = id;
        // the live room's annotator is assigned (an annotator may open their own layer of it)
        sqlite
          .prepare("INSERT INTO assignments (document_id, user_id) VALUES (?, ?)")
          .run(id, annotators[0]!.id);
      }
      for (const x of largeDocumentSpans(rand, labels, annotators)) {
        insertSpan.run(p.id, id, x.layer, x.spanId, x.start, x.end, x.label, x.author, 0);
      }
    }
  })();
  return { manager, annotators, p, first };
}

/** Two live clients of the first annotator's layer on the project's first document (pushed to `clients`). */
export async function liveRoom(server: TestServer, w: LargeProject, clients: CollabClient[]) {
  const auth = { cookie: w.annotators[0]!.cookie };
  const layer = userLayer(w.annotators[0]!.id);
  const writer = connectClient(server, { documentId: w.first, layer, auth });
  const reader = connectClient(server, { documentId: w.first, layer, auth });
  clients.push(writer, reader);
  await Promise.all([writer.synced(), reader.synced()]);
  const ctx: LayerContext = { text: `${LARGE_TEXT}0`, labelIds: new Set(w.p.labels.map((l) => l.id)) };
  return { writer, reader, ctx };
}

export interface DelaysWhile {
  /** How long `request` took to settle. */
  requestMs: number;
  /** Live updates sent meanwhile (one due every 20 ms). */
  sent: number;
  /** The slowest one's delay from when it was due to its arrival at the other client, and when it was due. */
  maxDelay: number;
  worstAtMs: number;
}

/**
 * Starts `request` and, until it settles, sends a live span from the writer every 20 ms; resolves once every
 * update reached the reader, with the slowest delivery. An update's delay counts from when it was due, so a
 * blocked event loop delays the sending too.
 */
export async function delaysWhile<T>(
  room: Awaited<ReturnType<typeof liveRoom>>,
  w: LargeProject,
  request: () => Promise<T>,
): Promise<{ result: T } & DelaysWhile> {
  const { writer, reader, ctx } = room;
  const sentAt = new Map<string, number>();
  const delays: Array<[delay: number, due: number]> = [];
  const observer = (e: { keysChanged: Set<string> }) => {
    const now = performance.now();
    for (const key of e.keysChanged) {
      const at = sentAt.get(key);
      if (at !== undefined) delays.push([now - at, at]);
    }
  };
  spansOf(reader.doc).observe(observer);
  const started = performance.now();
  const pending = request();
  let settled = false;
  void pending.finally(() => {
    settled = true;
  });
  for (let i = 0; !settled; i++) {
    const due = started + i * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const span = {
      start: i % 100,
      end: (i % 100) + 5,
      label: w.p.labels[0]!.id,
      author: w.annotators[0]!.id,
    };
    sentAt.set(addSpan(writer.doc, span, ctx).id, due);
  }
  const requestMs = performance.now() - started;
  const result = await pending;
  await vi.waitFor(
    () => {
      if (delays.length !== sentAt.size)
        throw new Error(`${delays.length} of ${sentAt.size} updates arrived`);
    },
    { timeout: 10_000 },
  );
  spansOf(reader.doc).unobserve(observer);
  const [maxDelay, worstDue] = delays.reduce((a, b) => (b[0] > a[0] ? b : a), [0, started]);
  return { result, requestMs, sent: sentAt.size, maxDelay, worstAtMs: worstDue - started };
}

/** Documents inserted per statement by `addLargeProject` on PostgreSQL (their spans: 60 a document). */
const PG_DOCS_PER_INSERT = 500;

/**
 * `largeProject` on either database (`server.store`): on SQLite exactly `largeProject`; on PostgreSQL the
 * same project, documents and spans (the same seeded draws in the same order), inserted a few hundred
 * documents per statement (`unnest` of arrays) in one transaction.
 */
export async function addLargeProject(server: TestServer, documents: number): Promise<LargeProject> {
  const store = server.store;
  if (store.dialect === "sqlite") return largeProject(server, documents);
  const manager = await addUser(store);
  const annotators = [await addUser(store), await addUser(store), await addUser(store)];
  const p = await addProject(store, {
    members: [
      { user: manager, role: "manager" },
      ...annotators.map((user) => ({ user, role: "annotator" as const })),
    ],
  });
  const labels = p.labels.map((l) => l.id);
  const rand = seededRandom(7);
  let first = 0;
  const client = await store.pool.connect();
  try {
    await client.query("BEGIN");
    for (let from = 0; from < documents; from += PG_DOCS_PER_INSERT) {
      const to = Math.min(documents, from + PG_DOCS_PER_INSERT);
      const names: string[] = [];
      const texts: string[] = [];
      for (let d = from; d < to; d++) {
        names.push(`doc-${d}`);
        texts.push(`${LARGE_TEXT}${d}`);
      }
      const inserted = await client.query<{ id: number; name: string }>(
        `INSERT INTO documents (project_id, name, text, sha256, length)
         SELECT $1, n, t, s, l FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS x(n, t, s, l)
         RETURNING id, name`,
        [
          p.id,
          names,
          texts,
          texts.map((t) => createHash("sha256").update(t).digest("hex")),
          texts.map((t) => t.length),
        ],
      );
      const idOf = new Map(inserted.rows.map((r) => [r.name, Number(r.id)]));
      const cols = {
        doc: [] as number[],
        layer: [] as string[],
        span: [] as string[],
        start: [] as number[],
        end: [] as number[],
        label: [] as number[],
        author: [] as number[],
      };
      for (let d = from; d < to; d++) {
        const id = idOf.get(`doc-${d}`)!;
        if (!first) {
          first = id;
          // the live room's annotator is assigned (an annotator may open their own layer of it)
          await client.query("INSERT INTO assignments (document_id, user_id) VALUES ($1, $2)", [
            id,
            annotators[0]!.id,
          ]);
        }
        for (const x of largeDocumentSpans(rand, labels, annotators)) {
          cols.doc.push(id);
          cols.layer.push(x.layer);
          cols.span.push(x.spanId);
          cols.start.push(x.start);
          cols.end.push(x.end);
          cols.label.push(x.label);
          cols.author.push(x.author);
        }
      }
      await client.query(
        `INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, author, created_at)
         SELECT $1, x.*, 0 FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[])
           AS x(document_id, layer, span_id, start, "end", label_id, author)`,
        [p.id, cols.doc, cols.layer, cols.span, cols.start, cols.end, cols.label, cols.author],
      );
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { manager, annotators, p, first };
}
