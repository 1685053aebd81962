/**
 * Import of annotations into a layer, all or nothing: the file is parsed and EVERYTHING is checked first
 * (documents matched, offsets against the covered text with the unit decided per document, labels,
 * relations), collecting every problem with its file, line or record; only a clean file is written, one
 * document at a time through the live collaboration room (so connected editors see it at once).
 */
import { createHash } from "node:crypto";
import {
  addRelation,
  addSpan,
  type DocumentRef,
  type FormatIssue,
  type ImportFormat,
  issue,
  LABEL_PALETTE,
  type LayerContext,
  type LayerName,
  listRelations,
  listSpans,
  type OffsetUnit,
  type ParseResult,
  quote,
  readBrat,
  readDoccano,
  readGloss,
  readLabelStudio,
  readW3c,
  resolveOffsets,
} from "@gloss/shared";
import { count, eq, sql } from "drizzle-orm";
import type * as Y from "yjs";
import type { Collab } from "../collab";
import { loadLayerContext } from "../collab/layerContext";
import type { Db } from "../db/client";
import { documents, labels, projects } from "../db/schema";
import { HttpError } from "../errors";
import { PayloadTooLarge } from "../import/errors";
import { readZip, type ZipLimits } from "../import/zip";
import { audit } from "./audit";

export interface ImportRequest {
  projectId: number;
  format: ImportFormat;
  layer: LayerName;
  createLabels: boolean;
  /** Declared offset unit; undefined = detect per document. */
  offsets?: OffsetUnit;
  /** Who imports: the author of the spans (and the decider of gold spans). */
  userId: number | null;
  fileName?: string;
  /** Caps on what a brat zip may unpack to (default: the configuration's defaults). */
  zipLimits?: ZipLimits;
}

export interface ImportResult {
  documents: number;
  spans: number;
  relations: number;
  /** Spans and relations already in the layer (same offsets and label / ends and type), not added twice. */
  skipped: number;
  createdLabels: string[];
}

/** Most issues listed in an error response (the total is given too). */
const MAX_LISTED = 200;

export { readZip, writeZip } from "../import/zip";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decode(bytes: Uint8Array, file: string | undefined, issues: FormatIssue[]): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    issues.push(issue("parse_error", { file }, "is not valid UTF-8 text"));
    return null;
  }
}

/** Parses an uploaded file in `format` (brat: a zip of .txt/.ann, unpacked within `zipLimits`). */
export function parseAnnotationFile(
  format: ImportFormat,
  bytes: Uint8Array,
  fileName?: string,
  zipLimits?: ZipLimits,
): ParseResult {
  const issues: FormatIssue[] = [];
  if (format === "brat") {
    let zip: Map<string, Uint8Array>;
    try {
      zip = readZip(bytes, zipLimits, fileName);
    } catch (e) {
      if (e instanceof PayloadTooLarge) throw e; // over a cap: 413, nothing stored
      return {
        documents: [],
        issues: [issue("parse_error", { file: fileName }, `is not a zip archive (${(e as Error).message})`)],
      };
    }
    const files = new Map<string, string>();
    for (const [name, data] of zip) {
      if (!name.endsWith(".txt") && !name.endsWith(".ann")) continue;
      const text = decode(data, name, issues);
      if (text !== null) files.set(name, text);
    }
    const parsed = readBrat(files);
    return { documents: parsed.documents, issues: [...issues, ...parsed.issues] };
  }
  const text = decode(bytes, fileName, issues);
  if (text === null) return { documents: [], issues };
  const read = { gloss: readGloss, doccano: readDoccano, labelstudio: readLabelStudio, w3c: readW3c }[format];
  return read(text, fileName);
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

interface DocIndex {
  byId: Map<number, { sha256: string }>;
  byName: Map<string, number[]>;
  bySha: Map<string, number>;
}

function indexDocuments(db: Db, projectId: number): DocIndex {
  const rows = db
    .select({ id: documents.id, name: documents.name, sha256: documents.sha256 })
    .from(documents)
    .where(eq(documents.projectId, projectId))
    .all();
  const idx: DocIndex = { byId: new Map(), byName: new Map(), bySha: new Map() };
  for (const r of rows) {
    idx.byId.set(r.id, { sha256: r.sha256 });
    idx.byName.set(r.name, [...(idx.byName.get(r.name) ?? []), r.id]);
    idx.bySha.set(r.sha256, r.id);
  }
  return idx;
}

/**
 * Finds the document a record names: by id, then by name, then by sha256 (given, or of the text it
 * carries). A candidate whose text differs from the text the record carries is not that document.
 */
function matchDocument(ref: DocumentRef, idx: DocIndex): number | null {
  const sha = ref.sha256 ?? (ref.text !== undefined ? sha256(ref.text) : undefined);
  const consistent = (id: number) => !sha || idx.byId.get(id)!.sha256 === sha;
  if (ref.id !== undefined && idx.byId.has(ref.id) && consistent(ref.id)) return ref.id;
  if (ref.name !== undefined) {
    const named = (idx.byName.get(ref.name) ?? []).filter(consistent);
    if (named.length === 1) return named[0]!;
  }
  return sha ? (idx.bySha.get(sha) ?? null) : null;
}

const describeRef = (r: DocumentRef) =>
  [
    r.id !== undefined ? `id ${r.id}` : "",
    r.name !== undefined ? `name ${quote(r.name)}` : "",
    r.sha256
      ? `sha256 ${r.sha256.slice(0, 12)}…`
      : r.text !== undefined
        ? `its text (${quote(r.text, 24)})`
        : "",
  ]
    .filter(Boolean)
    .join(", ") || "nothing that identifies a document";

/** Label name → id: exact, then ignoring case, then with `_` for whitespace (brat types). */
/** The project's labels, id and name. */
const projectLabels = (db: Db, projectId: number) =>
  db.select({ id: labels.id, name: labels.name }).from(labels).where(eq(labels.projectId, projectId)).all();

function labelResolver(rows: Array<{ id: number; name: string }>) {
  const exact = new Map(rows.map((l) => [l.name, l.id]));
  const folded = new Map(rows.map((l) => [l.name.toLowerCase(), l.id]));
  const under = new Map(rows.map((l) => [l.name.trim().replace(/\s+/g, "_").toLowerCase(), l.id]));
  return (name: string) => exact.get(name) ?? folded.get(name.toLowerCase()) ?? under.get(name.toLowerCase());
}

interface PlannedSpan {
  key?: string;
  start: number;
  end: number;
  label: string;
  note?: string;
  score?: number;
}

interface PlannedDoc {
  id: number;
  text: string;
  spans: PlannedSpan[];
  relations: Array<{ from: string; to: string; type: string }>;
}

/** Validates everything, then writes; throws HttpError 422 listing every problem when anything is wrong. */
export async function importAnnotations(
  deps: { db: Db; collab: Collab },
  req: ImportRequest,
  bytes: Uint8Array,
): Promise<ImportResult> {
  const { db } = deps;
  const parsed = parseAnnotationFile(req.format, bytes, req.fileName, req.zipLimits);
  const issues = [...parsed.issues];
  const project = db
    .select({ relationTypes: projects.relationTypes })
    .from(projects)
    .where(eq(projects.id, req.projectId))
    .get();
  if (!project) throw new HttpError(404, "not_found", "No such project");
  const relationTypes = project.relationTypes;
  const labelId = labelResolver(projectLabels(db, req.projectId));
  const idx = indexDocuments(db, req.projectId);
  const textOf = db
    .select({ text: documents.text })
    .from(documents)
    .where(eq(documents.id, sql.placeholder("id")))
    .prepare();
  const unknownLabels = new Map<string, { count: number; first: FormatIssue }>();
  const planned = new Map<number, PlannedDoc>();
  if (!parsed.documents.length && !issues.length)
    issues.push(issue("invalid_record", { file: req.fileName }, "no documents found"));

  for (const [n, doc] of parsed.documents.entries()) {
    const id = matchDocument(doc.ref, idx);
    if (id === null) {
      issues.push(
        issue("unknown_document", doc.pos, `no document of the project matches ${describeRef(doc.ref)}`),
      );
      continue;
    }
    const text = textOf.get({ id })!.text; // matched among the project's documents just above
    const resolved = resolveOffsets(text, doc, req.offsets ?? doc.unit);
    issues.push(...resolved.issues);
    const plan = planned.get(id) ?? { id, text, spans: [], relations: [] };
    planned.set(id, plan);
    const keys = new Set<string>();
    // a file-local key made unique per imported record (two records may reuse "T1")
    const scoped = (k: string) => `${n}:${k}`;
    for (const s of resolved.spans) {
      if (labelId(s.label) === undefined) {
        const u = unknownLabels.get(s.label);
        if (u) u.count++;
        else
          unknownLabels.set(s.label, {
            count: 1,
            first: issue("unknown_label", s.pos, `unknown label ${quote(s.label)}`),
          });
      }
      if (s.key !== undefined) keys.add(s.key);
      plan.spans.push({
        key: s.key === undefined ? undefined : scoped(s.key),
        start: s.start16,
        end: s.end16,
        label: s.label,
        note: s.note,
        score: s.score,
      });
    }
    const spanKeys = new Set(doc.spans.map((s) => s.key));
    for (const r of doc.relations) {
      const type = resolveRelationType(r.type, relationTypes);
      if (!spanKeys.has(r.from) || !spanKeys.has(r.to)) {
        const missing = spanKeys.has(r.from) ? r.to : r.from;
        issues.push(
          issue("invalid_relation", r.pos, `the relation refers to unknown span ${quote(missing)}`),
        );
      } else if (r.from === r.to) {
        issues.push(issue("invalid_relation", r.pos, "a relation cannot link a span to itself"));
      } else if (type === null) {
        issues.push(
          issue(
            "unknown_relation_type",
            r.pos,
            `unknown relation type ${quote(r.type)} (the project has ${relationTypes.map((t) => quote(t)).join(", ") || "none"})`,
          ),
        );
      } else if (keys.has(r.from) && keys.has(r.to)) {
        plan.relations.push({ from: scoped(r.from), to: scoped(r.to), type });
      }
    }
  }
  if (unknownLabels.size && !req.createLabels) {
    for (const [, u] of unknownLabels) issues.push(u.first);
  }
  if (issues.length) throw importError(issues, req.createLabels ? [] : [...unknownLabels.keys()]);

  const createdLabels = req.createLabels
    ? createMissingLabels(db, req.projectId, [...unknownLabels.keys()])
    : [];
  const finalLabel = labelResolver(projectLabels(db, req.projectId));
  const result: ImportResult = { documents: 0, spans: 0, relations: 0, skipped: 0, createdLabels };
  for (const plan of planned.values()) {
    const { ctx } = loadLayerContext(db, { text: plan.text, projectId: req.projectId }, project);
    await deps.collab.withDoc(plan.id, req.layer, (ydoc) =>
      writePlan(ydoc, plan, ctx, req, finalLabel, result),
    );
    result.documents++;
  }
  audit(db, {
    userId: req.userId,
    projectId: req.projectId,
    action: "annotations.import",
    target: `layer:${req.layer}`,
    details: { format: req.format, file: req.fileName ?? null, ...result },
  });
  return result;
}

function resolveRelationType(type: string, types: string[]): string | null {
  if (!type) return types.length === 1 ? types[0]! : null; // Label Studio relations may carry no label
  return types.find((t) => t === type || t.replace(/\s+/g, "_") === type) ?? null;
}

/** Writes one document's spans and relations in one Yjs transaction; existing identical ones are reused. */
function writePlan(
  ydoc: Y.Doc,
  plan: PlannedDoc,
  ctx: LayerContext,
  req: ImportRequest,
  labelId: (name: string) => number | undefined,
  result: ImportResult,
) {
  const now = Date.now();
  const existing = new Map(listSpans(ydoc).map((s) => [`${s.start}:${s.end}:${s.label}`, s.id]));
  const existingRels = new Set(listRelations(ydoc).map((r) => `${r.from}>${r.to}>${r.type}`));
  const idOf = new Map<string, string>();
  ydoc.transact(() => {
    for (const s of plan.spans) {
      const label = labelId(s.label)!;
      const k = `${s.start}:${s.end}:${label}`;
      let id = existing.get(k);
      if (id) result.skipped++;
      else {
        id = addSpan(
          ydoc,
          {
            start: s.start,
            end: s.end,
            label,
            author: req.userId,
            note: s.note,
            score: s.score,
            ...(req.layer === "gold"
              ? {
                  provenance: {
                    annotators: [],
                    decidedBy: req.userId,
                    decidedAt: now,
                    via: "import" as const,
                  },
                }
              : {}),
          },
          ctx,
          "import",
        ).id;
        existing.set(k, id);
        result.spans++;
      }
      if (s.key !== undefined) idOf.set(s.key, id);
    }
    for (const r of plan.relations) {
      const from = idOf.get(r.from)!;
      const to = idOf.get(r.to)!;
      const k = `${from}>${to}>${r.type}`;
      if (existingRels.has(k)) {
        result.skipped++;
        continue;
      }
      addRelation(ydoc, { from, to, type: r.type, author: req.userId }, ctx, "import");
      existingRels.add(k);
      result.relations++;
    }
  }, "import");
}

function createMissingLabels(db: Db, projectId: number, names: string[]): string[] {
  if (!names.length) return [];
  db.transaction(() => {
    const n = db.select({ n: count() }).from(labels).where(eq(labels.projectId, projectId)).get()?.n ?? 0;
    db.insert(labels)
      .values(
        names.map((name, i) => ({
          projectId,
          name,
          color: LABEL_PALETTE[(n + i) % LABEL_PALETTE.length]!,
          hotkey: null,
          description: "Created by an annotation import",
          order: n + i,
        })),
      )
      .run();
  });
  return names;
}

/** The 422 error: a summary message and every issue (up to MAX_LISTED) with its position. */
function importError(issues: FormatIssue[], unknownLabels: string[]): HttpError {
  const onlyLabels = issues.every((i) => i.code === "unknown_label");
  const message = onlyLabels
    ? `Unknown labels: ${unknownLabels.join(", ")} (create them with createLabels=true). Nothing was imported.`
    : `${issues.length} problem${issues.length === 1 ? "" : "s"} in the file; nothing was imported. First: ${issues[0]!.message}`;
  return new HttpError(422, "invalid_annotations", message, {
    errors: issues.slice(0, MAX_LISTED),
    total: issues.length,
    ...(unknownLabels.length ? { unknownLabels } : {}),
  });
}
