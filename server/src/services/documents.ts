import {
  type AssignmentStatus,
  codePointLength,
  type DocumentDto,
  type DocumentListDto,
  type DocumentSummaryDto,
  type ImportResultDto,
  type ListDocumentsQuery,
} from "@gloss/shared";
import type { DocumentAccess, ProjectAccess } from "../auth/access";
import type { Db } from "../db/client";
import { notFound } from "../errors";
import type { ImportBatch } from "../import/batch";
import { audit } from "./audit";

export interface CommitImportOptions {
  projectId: number;
  /** Who imported (null: the CLI without --as). */
  userId: number | null;
  via: "api" | "cli";
  /** Progress: documents stored so far (called every few hundred and at the end). */
  onStored?: (stored: number) => void;
}

/**
 * Stores a validated batch in ONE synchronous transaction: it reads the spool with synchronous I/O and
 * never awaits, so no other writer in this process (the collaboration server) can interleave with it,
 * and a failure stores nothing. Duplicates — the same sha256 already in the project or earlier in the
 * same batch — are skipped and reported with the id they duplicate.
 */
export function commitImport(db: Db, batch: ImportBatch, opts: CommitImportOptions): ImportResultDto {
  const sqlite = db.$client;
  const { projectId } = opts;
  // raw prepared statements: this loop runs once per document (100,000s) and must stay cheap
  const findBySha = sqlite
    .prepare<[number, string], number>("SELECT id FROM documents WHERE project_id = ? AND sha256 = ?")
    .pluck();
  const insert = sqlite.prepare<[number, string, string, string, number, string]>(
    "INSERT INTO documents (project_id, name, text, sha256, length, meta) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const result: ImportResultDto = { imported: [], skipped: [] };
  sqlite.transaction(() => {
    if (!sqlite.prepare("SELECT 1 FROM projects WHERE id = ?").get(projectId))
      throw notFound("No such project");
    let seen = 0;
    batch.readSync((doc) => {
      const existingId = findBySha.get(projectId, doc.sha256);
      if (existingId !== undefined) {
        result.skipped.push({ name: doc.name, sha256: doc.sha256, existingId, source: doc.source });
      } else {
        // `length` is the UTF-16 length (the unit of layers and the editor)
        const r = insert.run(projectId, doc.name, doc.text, doc.sha256, doc.text.length, doc.meta);
        result.imported.push({ id: Number(r.lastInsertRowid), name: doc.name, sha256: doc.sha256 });
      }
      if (++seen % 500 === 0) opts.onStored?.(seen);
    });
    opts.onStored?.(seen);
    audit(db, {
      userId: opts.userId,
      projectId,
      action: "documents.import",
      target: `project:${projectId}`,
      details: {
        via: opts.via,
        files: batch.files.slice(0, 100),
        imported: result.imported.length,
        skipped: result.skipped.length,
      },
    });
  })();
  return result;
}

interface SummaryRow {
  id: number;
  projectId: number;
  name: string;
  sha256: string;
  cpLength: number;
  hasNul: number;
  createdAt: number;
}

/**
 * A page of a project's documents. Annotators see only documents assigned to them, and only their own
 * assignment on each (independent mode is blind); `status` filters on the caller's own assignments for
 * annotators, on any assignment otherwise; `q` searches name and text (ASCII case-insensitive).
 */
export function listDocuments(db: Db, access: ProjectAccess, query: ListDocumentsQuery): DocumentListDto {
  const sqlite = db.$client;
  const annotator = access.role === "annotator";
  const where = ["d.project_id = ?"];
  const params: Array<string | number> = [access.project.id];
  if (annotator) {
    where.push(
      `EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.user_id = ?${query.status ? " AND a.status = ?" : ""})`,
    );
    params.push(access.user.id, ...(query.status ? [query.status] : []));
  } else if (query.status) {
    where.push("EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.status = ?)");
    params.push(query.status);
  }
  if (query.q) {
    where.push("(instr(lower(d.name), lower(?)) > 0 OR instr(lower(d.text), lower(?)) > 0)");
    params.push(query.q, query.q);
  }
  const clause = where.join(" AND ");
  const total = sqlite
    .prepare<Array<string | number>, number>(`SELECT count(*) FROM documents d WHERE ${clause}`)
    .pluck()
    .get(...params)!;
  const rows = sqlite
    .prepare<Array<string | number>, SummaryRow>(
      // SQLite's length() counts code points, but stops at a NUL: those rare rows are counted in JS
      `SELECT d.id, d.project_id AS projectId, d.name, d.sha256, length(d.text) AS cpLength,
              instr(d.text, char(0)) > 0 AS hasNul, d.created_at AS createdAt
       FROM documents d WHERE ${clause} ORDER BY d.id LIMIT ? OFFSET ?`,
    )
    .all(...params, query.limit, query.offset);
  return { documents: summarize(db, rows, annotator ? access.user.id : null), total };
}

/** One document with its text exactly as stored, its meta, and its length in code points. */
export function getDocument(db: Db, access: DocumentAccess): DocumentDto {
  const d = access.document;
  const row: SummaryRow = {
    id: d.id,
    projectId: d.projectId,
    name: d.name,
    sha256: d.sha256,
    cpLength: codePointLength(d.text),
    hasNul: 0,
    createdAt: d.createdAt,
  };
  const [summary] = summarize(db, [row], access.role === "annotator" ? access.user.id : null);
  return { ...summary!, text: d.text, meta: JSON.parse(d.meta) as Record<string, unknown> };
}

/** Adds assignments (only `onlyUser`'s when given) and curation status to document rows. */
function summarize(db: Db, rows: SummaryRow[], onlyUser: number | null): DocumentSummaryDto[] {
  if (rows.length === 0) return [];
  const sqlite = db.$client;
  const ids = JSON.stringify(rows.map((r) => r.id));
  const assigned = sqlite
    .prepare<
      Array<string | number>,
      { documentId: number; userId: number; username: string; status: AssignmentStatus }
    >(
      `SELECT a.document_id AS documentId, a.user_id AS userId, u.username, a.status
       FROM assignments a JOIN users u ON u.id = a.user_id
       WHERE a.document_id IN (SELECT value FROM json_each(?))${onlyUser === null ? "" : " AND a.user_id = ?"}
       ORDER BY a.document_id, u.username`,
    )
    .all(...(onlyUser === null ? [ids] : [ids, onlyUser]));
  const byDoc = new Map<number, DocumentSummaryDto["assignments"]>();
  for (const a of assigned) {
    const list = byDoc.get(a.documentId) ?? [];
    list.push({ userId: a.userId, username: a.username, status: a.status });
    byDoc.set(a.documentId, list);
  }
  const curations = new Map(
    sqlite
      .prepare<[string], { documentId: number; status: AssignmentStatus }>(
        "SELECT document_id AS documentId, status FROM curations WHERE document_id IN (SELECT value FROM json_each(?))",
      )
      .all(ids)
      .map((c) => [c.documentId, c.status]),
  );
  const textOf = sqlite.prepare<[number], string>("SELECT text FROM documents WHERE id = ?").pluck();
  return rows.map((r) => ({
    id: r.id,
    projectId: r.projectId,
    name: r.name,
    sha256: r.sha256,
    length: r.hasNul ? codePointLength(textOf.get(r.id) ?? "") : r.cpLength,
    createdAt: r.createdAt,
    assignments: byDoc.get(r.id) ?? [],
    curation: curations.get(r.id) ?? "todo",
  }));
}
