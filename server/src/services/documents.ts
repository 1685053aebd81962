/**
 * Documents: the all-or-nothing import, the paginated listing with search, and one document with its
 * text. Generators over the store (db/store.ts), the same on SQLite and PostgreSQL.
 */
import {
  codePointLength,
  type DocumentDto,
  type DocumentListDto,
  type DocumentSummaryDto,
  IMPORT_RESULT_FIRST,
  type ImportResultDto,
  type ListDocumentsQuery,
} from "@gloss/shared";
import { and, asc, count, eq, exists, inArray, or, type SQL, sql } from "drizzle-orm";
import type { DocumentAccess, ProjectAccess } from "../auth/access";
import {
  all,
  containsText,
  type Gen,
  get,
  inIds,
  run,
  type SqliteStore,
  type Store,
  transaction,
} from "../db/store";
import { notFound } from "../errors";
import type { ImportBatch } from "../import/batch";
import type { ParsedDocument } from "../import/document";
import { ImportError } from "../import/errors";
import { recordAudit } from "./audit";

export interface CommitImportOptions {
  projectId: number;
  /** Who imported (null: the CLI without --as). */
  userId: number | null;
  via: "api" | "cli";
  /** Progress: documents stored so far (called every few hundred and at the end). */
  onStored?: (stored: number) => void;
}

/** What an import reports so far: the counts and the first few of each list. */
interface ImportTally {
  imported: ImportResultDto["imported"];
  skipped: ImportResultDto["skipped"];
}

/**
 * Stores a validated batch in ONE transaction, so a failure stores nothing. On SQLite the transaction is
 * synchronous (it reads the spool with synchronous I/O and never awaits), so no other writer in this
 * process (the collaboration server) can interleave with it. Duplicates — the same sha256 already in the
 * project or earlier in the same batch — are skipped and reported with the id they duplicate. The import is
 * recorded (`imports`) and its documents point to it, so the answer can stay a summary of fixed size
 * whatever the batch holds: the counts, the first few of each list, and the path of the paginated list of
 * what was stored.
 */
export function* commitImport(
  _store: Store,
  batch: ImportBatch,
  opts: CommitImportOptions,
): Gen<ImportResultDto> {
  const { projectId } = opts;
  const tally: ImportTally = { imported: { count: 0, first: [] }, skipped: { count: 0, first: [] } };
  const importId = yield* transaction(function* (tx) {
    const { imports, projects } = tx.t;
    if (!(yield* get(tx.q.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)))))
      throw notFound("No such project");
    const { id } = (yield* get(
      tx.q
        .insert(imports)
        .values({ projectId, userId: opts.userId, via: opts.via })
        .returning({ id: imports.id }),
    ))!;
    if (tx.dialect === "sqlite") storeSqlite(tx, batch, projectId, id, tally, opts.onStored);
    else yield* storeInBatches(tx, batch.documents(), projectId, id, tally, opts.onStored);
    yield* run(
      tx.q
        .update(imports)
        .set({ imported: tally.imported.count, skipped: tally.skipped.count })
        .where(eq(imports.id, id)),
    );
    yield* recordAudit(tx, {
      userId: opts.userId,
      projectId,
      action: "documents.import",
      target: `project:${projectId}`,
      details: {
        via: opts.via,
        importId: id,
        files: batch.files.slice(0, 100),
        imported: tally.imported.count,
        skipped: tally.skipped.count,
      },
    });
    return id;
  });
  return {
    importId,
    imported: tally.imported,
    skipped: tally.skipped,
    documents: `/api/projects/${projectId}/documents?importId=${importId}`,
  };
}

/** SQLite: one document at a time straight from the spool, inside the (synchronous) transaction. */
function storeSqlite(
  tx: SqliteStore,
  batch: ImportBatch,
  projectId: number,
  importId: number,
  { imported, skipped }: ImportTally,
  onStored: CommitImportOptions["onStored"],
): void {
  // Hot path, raw SQL on purpose: these two run once per document (100,000s per import); as drizzle
  // prepared statements they cost 15% more CPU (2.05 -> 2.36 s for 100,000 1-KB documents, median of 4).
  const findBySha = tx.sqlite
    .prepare<[number, string], number>("SELECT id FROM documents WHERE project_id = ? AND sha256 = ?")
    .pluck();
  const insert = tx.sqlite.prepare<[number, string, string, string, number, string, number]>(
    "INSERT INTO documents (project_id, name, text, sha256, length, meta, import_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  let seen = 0;
  batch.readSync((doc) => {
    const existingId = findBySha.get(projectId, doc.sha256);
    if (existingId !== undefined) {
      if (skipped.count++ < IMPORT_RESULT_FIRST)
        skipped.first.push({ name: doc.name, sha256: doc.sha256, existingId, source: doc.source });
    } else {
      // `length` is the UTF-16 length (the unit of layers and the editor)
      const r = insert.run(projectId, doc.name, doc.text, doc.sha256, doc.text.length, doc.meta, importId);
      if (imported.count++ < IMPORT_RESULT_FIRST)
        imported.first.push({ id: Number(r.lastInsertRowid), name: doc.name, sha256: doc.sha256 });
    }
    if (++seen % 500 === 0) onStored?.(seen);
  });
  onStored?.(seen);
}

/** Documents per insert on PostgreSQL, and the most text one insert carries (whichever comes first). */
const INSERT_ROWS = 500;
const INSERT_CHARS = 8 * 1024 * 1024;

/** The next insert's worth of documents (none at the end). */
function nextChunk(docs: Iterator<ParsedDocument>): ParsedDocument[] {
  const chunk: ParsedDocument[] = [];
  for (let chars = 0; chunk.length < INSERT_ROWS && chars < INSERT_CHARS; ) {
    const next = docs.next();
    if (next.done) break;
    const doc = next.value;
    // PostgreSQL's text cannot hold U+0000: refuse the import rather than store another text
    const nul = doc.text.includes("\0") ? "text" : doc.name.includes("\0") ? "name" : null;
    if (nul) {
      throw new ImportError({
        file: doc.source,
        line: null,
        field: nul,
        reason: `the ${nul} contains a NUL character (U+0000), which this database cannot store`,
      });
    }
    chunk.push(doc);
    chars += doc.text.length;
  }
  return chunk;
}

/**
 * PostgreSQL: the documents in multi-row inserts, each preceded by one look-up of its shas already in the
 * project (the transaction's own inserts included).
 */
function* storeInBatches(
  tx: Store,
  docs: Iterable<ParsedDocument>,
  projectId: number,
  importId: number,
  { imported, skipped }: ImportTally,
  onStored: CommitImportOptions["onStored"],
): Gen<void> {
  const { documents } = tx.t;
  const reader = docs[Symbol.iterator]();
  let seen = 0;
  for (let chunk = nextChunk(reader); chunk.length; chunk = nextChunk(reader)) {
    const known = new Map(
      (yield* all(
        tx.q
          .select({ id: documents.id, sha256: documents.sha256 })
          .from(documents)
          .where(
            and(
              eq(documents.projectId, projectId),
              inArray(
                documents.sha256,
                chunk.map((d) => d.sha256),
              ),
            ),
          ),
      )).map((r) => [r.sha256, r.id]),
    );
    // a repeat of a document earlier in this chunk learns that one's id once the chunk is stored
    const waiting: Array<{ sha256: string; entry: ImportResultDto["skipped"]["first"][number] }> = [];
    const fresh: ParsedDocument[] = [];
    const inChunk = new Set<string>();
    for (const doc of chunk) {
      const existingId = known.get(doc.sha256);
      if (existingId !== undefined || inChunk.has(doc.sha256)) {
        if (skipped.count++ < IMPORT_RESULT_FIRST) {
          const entry = {
            name: doc.name,
            sha256: doc.sha256,
            existingId: existingId ?? 0,
            source: doc.source,
          };
          skipped.first.push(entry);
          if (existingId === undefined) waiting.push({ sha256: doc.sha256, entry });
        }
      } else {
        inChunk.add(doc.sha256);
        fresh.push(doc);
      }
    }
    if (fresh.length) {
      const rows = yield* all(
        tx.q
          .insert(documents)
          .values(
            fresh.map((doc) => ({
              projectId,
              name: doc.name,
              text: doc.text,
              sha256: doc.sha256,
              // `length` is the UTF-16 length (the unit of layers and the editor)
              length: doc.text.length,
              meta: doc.meta,
              importId,
            })),
          )
          .returning({ id: documents.id, sha256: documents.sha256 }),
      );
      const idOf = new Map(rows.map((r) => [r.sha256, r.id]));
      for (const doc of fresh) {
        if (imported.count++ < IMPORT_RESULT_FIRST)
          imported.first.push({ id: idOf.get(doc.sha256)!, name: doc.name, sha256: doc.sha256 });
      }
      for (const w of waiting) w.entry.existingId = idOf.get(w.sha256)!;
    }
    seen += chunk.length;
    onStored?.(seen);
  }
  if (seen === 0) onStored?.(0);
}

interface SummaryRow {
  id: number;
  projectId: number;
  name: string;
  sha256: string;
  cpLength: number;
  hasNul: boolean;
  createdAt: number;
}

/** An assignment of the document being filtered (`documents` of the outer query), with more conditions. */
const hasAssignment = (store: Store, ...conditions: Array<SQL | undefined>) => {
  const { assignments, documents } = store.t;
  return exists(
    store.q
      .select({ x: sql`1` })
      .from(assignments)
      .where(and(eq(assignments.documentId, documents.id), ...conditions)),
  );
};

/**
 * A page of a project's documents. Annotators see only documents assigned to them, and only their own
 * assignment on each (independent mode is blind); `status` filters on the caller's own assignments for
 * annotators, on any assignment otherwise; `q` searches name and text (ASCII case-insensitive);
 * `importId` keeps the documents that import stored.
 */
export function* listDocuments(
  store: Store,
  access: ProjectAccess,
  query: ListDocumentsQuery,
): Gen<DocumentListDto> {
  const { assignments, documents } = store.t;
  const annotator = access.role === "annotator";
  const status = query.status ? eq(assignments.status, query.status) : undefined;
  const where = and(
    eq(documents.projectId, access.project.id),
    annotator
      ? hasAssignment(store, eq(assignments.userId, access.user.id), status)
      : status && hasAssignment(store, status),
    query.q
      ? or(containsText(store, documents.name, query.q), containsText(store, documents.text, query.q))
      : undefined,
    query.importId === undefined ? undefined : eq(documents.importId, query.importId),
  );
  const total = (yield* get(store.q.select({ n: count() }).from(documents).where(where)))!.n;
  const rows = yield* all(
    store.q
      .select({
        id: documents.id,
        projectId: documents.projectId,
        name: documents.name,
        sha256: documents.sha256,
        // length() counts code points on both; SQLite's stops at a NUL: those rare rows are counted in JS
        // (PostgreSQL's text cannot hold one)
        cpLength: sql<number>`length(${documents.text})`.mapWith(Number),
        hasNul: (store.dialect === "pg"
          ? sql<boolean>`false`
          : sql<boolean>`instr(${documents.text}, char(0)) > 0`
        ).mapWith(Boolean),
        createdAt: documents.createdAt,
      })
      .from(documents)
      .where(where)
      .orderBy(asc(documents.id))
      .limit(query.limit)
      .offset(query.offset),
  );
  return { documents: yield* summarize(store, rows, annotator ? access.user.id : null), total };
}

/** One document with its text exactly as stored, its meta, and its length in code points. */
export function* getDocument(store: Store, access: DocumentAccess): Gen<DocumentDto> {
  const d = access.document;
  const row: SummaryRow = {
    id: d.id,
    projectId: d.projectId,
    name: d.name,
    sha256: d.sha256,
    cpLength: codePointLength(d.text),
    hasNul: false,
    createdAt: d.createdAt,
  };
  const [summary] = yield* summarize(store, [row], access.role === "annotator" ? access.user.id : null);
  return { ...summary!, text: d.text, meta: JSON.parse(d.meta) as Record<string, unknown> };
}

/** Adds assignments (only `onlyUser`'s when given) and curation status to document rows. */
function* summarize(store: Store, rows: SummaryRow[], onlyUser: number | null): Gen<DocumentSummaryDto[]> {
  if (rows.length === 0) return [];
  const { assignments, curations, documents, users } = store.t;
  const ids = rows.map((r) => r.id);
  const assigned = yield* all(
    store.q
      .select({
        documentId: assignments.documentId,
        userId: assignments.userId,
        username: users.username,
        status: assignments.status,
      })
      .from(assignments)
      .innerJoin(users, eq(users.id, assignments.userId))
      .where(
        and(
          inIds(store, assignments.documentId, ids),
          onlyUser === null ? undefined : eq(assignments.userId, onlyUser),
        ),
      )
      .orderBy(asc(assignments.documentId), asc(users.username)),
  );
  const byDoc = new Map<number, DocumentSummaryDto["assignments"]>();
  for (const a of assigned) {
    const list = byDoc.get(a.documentId) ?? [];
    list.push({ userId: a.userId, username: a.username, status: a.status });
    byDoc.set(a.documentId, list);
  }
  const curationOf = new Map(
    (yield* all(
      store.q
        .select({ documentId: curations.documentId, status: curations.status })
        .from(curations)
        .where(inIds(store, curations.documentId, ids)),
    )).map((c) => [c.documentId, c.status]),
  );
  const out: DocumentSummaryDto[] = [];
  for (const r of rows) {
    const length = r.hasNul
      ? codePointLength(
          (yield* get(store.q.select({ text: documents.text }).from(documents).where(eq(documents.id, r.id))))
            ?.text ?? "",
        )
      : r.cpLength;
    out.push({
      id: r.id,
      projectId: r.projectId,
      name: r.name,
      sha256: r.sha256,
      length,
      createdAt: r.createdAt,
      assignments: byDoc.get(r.id) ?? [],
      curation: curationOf.get(r.id) ?? "todo",
    });
  }
  return out;
}
