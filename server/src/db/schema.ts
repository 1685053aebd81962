import type { RelationTypes } from "@gloss/shared";
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Milliseconds since the epoch; every timestamp column uses it. */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  isAdmin: integer("is_admin", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull().default(now),
  /** When an administrator disabled the account (null: active); a disabled account cannot sign in. */
  disabledAt: integer("disabled_at"),
});

/** Server-side sessions; `id` is the sha256 of the cookie value, never the value itself. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull().default(now),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Invite links an administrator made for a new account: the invitee sets their own password through it,
 * once, before it expires. `id` is the sha256 of the link's token, never the token itself.
 */
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull().default(now),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("invites_user_idx").on(t.userId)],
);

/** Personal API tokens; only the sha256 is stored, the token is shown once. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

/**
 * Single-use socket tickets (issue 17): a browser opens the collaboration socket with `?ticket=`, never a
 * long-lived secret in the URL. `id` is the sha256 of the ticket; `credential` is the session or token that
 * asked for it (re-checked for as long as the socket stays open); consumed by one atomic delete.
 */
export const socketTickets = sqliteTable(
  "socket_tickets",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    credential: text("credential").notNull(),
    room: text("room").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("socket_tickets_expires_idx").on(t.expiresAt)],
);

export const projects = sqliteTable("projects", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  mode: text("mode", { enum: ["independent", "shared"] })
    .notNull()
    .default("independent"),
  annotatorsPerDocument: integer("annotators_per_document").notNull().default(2),
  snapping: text("snapping", { enum: ["word", "character"] })
    .notNull()
    .default("word"),
  /** JSON array of relation type names, e.g. ["attributes"] (written only through the RelationTypes schema). */
  relationTypes: text("relation_types", { mode: "json" })
    .$type<RelationTypes>()
    .notNull()
    .default(["attributes"]),
  createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: integer("created_at").notNull().default(now),
});

export const projectMembers = sqliteTable(
  "project_members",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["manager", "curator", "annotator"] }).notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index("project_members_user_idx").on(t.userId)],
);

export const labels = sqliteTable(
  "labels",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    color: text("color").notNull(),
    hotkey: text("hotkey"),
    description: text("description").notNull().default(""),
    order: integer("order").notNull().default(0),
  },
  (t) => [uniqueIndex("labels_project_name_uq").on(t.projectId, t.name)],
);

/** Immutable once imported: `text` is stored exactly as given. */
/** One document import (API or CLI): who, when, and what it stored; its documents point back to it. */
export const imports = sqliteTable(
  "imports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    via: text("via", { enum: ["api", "cli"] }).notNull(),
    at: integer("at").notNull().default(now),
    imported: integer("imported").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
  },
  (t) => [index("imports_project_idx").on(t.projectId, t.id)],
);

export const documents = sqliteTable(
  "documents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    text: text("text").notNull(),
    sha256: text("sha256").notNull(),
    /** Length in UTF-16 code units (JavaScript string length). */
    length: integer("length").notNull(),
    meta: text("meta").notNull().default("{}"),
    createdAt: integer("created_at").notNull().default(now),
    /** The import that stored it (null: stored otherwise, or before imports were recorded). */
    importId: integer("import_id").references(() => imports.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("documents_project_sha_uq").on(t.projectId, t.sha256),
    index("documents_name_idx").on(t.projectId, t.name),
    // a project's documents in id order without a sort (lists, queues, staleness checks at 100,000 documents)
    index("documents_project_idx").on(t.projectId, t.id),
    index("documents_import_idx").on(t.importId, t.id),
  ],
);

export const assignments = sqliteTable(
  "assignments",
  {
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["todo", "in_progress", "done"] })
      .notNull()
      .default("todo"),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.userId] }), index("assignments_user_idx").on(t.userId)],
);

/** Curation (adjudication) status of a document's gold layer. */
export const curations = sqliteTable("curations", {
  documentId: integer("document_id")
    .primaryKey()
    .references(() => documents.id, { onDelete: "cascade" }),
  status: text("status", { enum: ["todo", "in_progress", "done"] })
    .notNull()
    .default("todo"),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: integer("updated_at").notNull().default(now),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull().default(now),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    projectId: integer("project_id").references(() => projects.id, { onDelete: "cascade" }),
    action: text("action").notNull(),
    target: text("target"),
    /** JSON object: what the action changed (written and read as an object, never as a string). */
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_log_project_idx").on(t.projectId, t.id)],
);

/** Append-only Yjs update log, one row per accepted update (batched per tick). */
export const yjsUpdates = sqliteTable(
  "yjs_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    room: text("room").notNull(),
    update: blob("update", { mode: "buffer" }).notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("yjs_updates_room_idx").on(t.room, t.id)],
);

/** Compacted Yjs state per room; the log rows merged into it are deleted in the same transaction. */
export const yjsSnapshots = sqliteTable(
  "yjs_snapshots",
  {
    room: text("room").primaryKey(),
    state: blob("state", { mode: "buffer" }).notNull(),
    updatedAt: integer("updated_at").notNull().default(now),
    /**
     * Bumped by every write of the snapshot, by whichever process: a server holding the room live may
     * replace the snapshot with its own state only if the version is still the one it loaded or wrote.
     */
    version: integer("version").notNull().default(0),
  },
  (t) => [index("yjs_snapshots_updated_idx").on(t.updatedAt)],
);

/**
 * Projection of every layer's spans, derived from the Yjs state (rebuildable with `gloss rebuild-projection`).
 * Offsets are UTF-16 code units, end-exclusive, as in the layer.
 */
export const annotations = sqliteTable(
  "annotations",
  {
    projectId: integer("project_id").notNull(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    layer: text("layer").notNull(),
    spanId: text("span_id").notNull(),
    start: integer("start").notNull(),
    end: integer("end").notNull(),
    labelId: integer("label_id").notNull(),
    author: integer("author"),
    note: text("note"),
    /** JSON object for extra fields (provenance in gold, scores of imported predictions). */
    extra: text("extra"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.documentId, t.layer, t.spanId] }),
    index("annotations_project_idx").on(t.projectId, t.layer),
    index("annotations_label_idx").on(t.labelId),
  ],
);

export const annotationRelations = sqliteTable(
  "annotation_relations",
  {
    projectId: integer("project_id").notNull(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    layer: text("layer").notNull(),
    relationId: text("relation_id").notNull(),
    fromSpan: text("from_span").notNull(),
    toSpan: text("to_span").notNull(),
    type: text("type").notNull(),
    author: integer("author"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.documentId, t.layer, t.relationId] }),
    index("annotation_relations_project_idx").on(t.projectId, t.layer),
  ],
);

/** Layer status (in_progress | done) projected from each layer's `state` map. */
/**
 * Projection of gold's `rejected` map (disagreement key → who rejected it, when): what curation listings
 * need to tell a settled disagreement from an open one without loading the gold room.
 */
export const goldRejections = sqliteTable(
  "gold_rejections",
  {
    projectId: integer("project_id").notNull(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    by: integer("by"),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.key] })],
);

/**
 * A counter per document, bumped (by triggers) whenever anything its curation figures are computed from
 * changes: its annotator and gold spans and relations, layer states, gold's rejected keys, assignments, the
 * project's labels. No row: never changed since the counter began (0).
 */
export const curationStamps = sqliteTable("curation_stamps", {
  documentId: integer("document_id")
    .primaryKey()
    .references(() => documents.id, { onDelete: "cascade" }),
  n: integer("n").notNull(),
});

/**
 * A document's curation figures, derived from the projection and cached, with the stamp they were computed
 * at: a row whose stamp is not the document's current one is stale (whoever changed the inputs, and even
 * when the change landed while the figures were being computed) and is recomputed by the next listing.
 */
export const curationSummaries = sqliteTable(
  "curation_summaries",
  {
    documentId: integer("document_id")
      .primaryKey()
      .references(() => documents.id, { onDelete: "cascade" }),
    projectId: integer("project_id").notNull(),
    /** `curation_stamps.n` of the document when these figures were computed. */
    stamp: integer("stamp").notNull().default(0),
    annotators: integer("annotators").notNull(),
    annotatedLayers: integer("annotated_layers").notNull(),
    disagreements: integer("disagreements").notNull(),
    open: integer("open").notNull(),
    goldSpans: integer("gold_spans").notNull(),
  },
  (t) => [index("curation_summaries_project_idx").on(t.projectId)],
);

export const layerStates = sqliteTable(
  "layer_states",
  {
    projectId: integer("project_id").notNull(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    layer: text("layer").notNull(),
    status: text("status").notNull(),
    setBy: integer("set_by"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.layer] })],
);

/**
 * A project's recommenders (issue 14): what proposes spans to its annotators. `config` is the kind's
 * configuration, written only through its schema (shared/src/api-suggestions.ts).
 */
export const recommenders = sqliteTable(
  "recommenders",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["string-match", "label-studio-ml"] }).notNull(),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** The model version the backend last reported (null: not yet known). */
    modelVersion: text("model_version"),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("recommenders_project_idx").on(t.projectId, t.id)],
);

/**
 * Suggestions an annotator rejected: never proposed to them again by that recommender. Offsets in UTF-16
 * code units, end-exclusive, as in the layer.
 */
export const suggestionRejections = sqliteTable(
  "suggestion_rejections",
  {
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    recommenderId: integer("recommender_id")
      .notNull()
      .references(() => recommenders.id, { onDelete: "cascade" }),
    start: integer("start").notNull(),
    end: integer("end").notNull(),
    labelId: integer("label_id").notNull(),
    at: integer("at").notNull().default(now),
  },
  (t) => [
    primaryKey({
      columns: [t.documentId, t.userId, t.recommenderId, t.start, t.end, t.labelId],
    }),
  ],
);

/**
 * An external recommender's answer for a document, per model version (what it predicts does not depend on
 * who asks): `suggestions` holds them already converted to UTF-16 and checked against the text.
 */
export const suggestionCache = sqliteTable(
  "suggestion_cache",
  {
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    recommenderId: integer("recommender_id")
      .notNull()
      .references(() => recommenders.id, { onDelete: "cascade" }),
    modelVersion: text("model_version").notNull(),
    suggestions: text("suggestions", { mode: "json" })
      .$type<Array<{ start: number; end: number; label: number; score: number }>>()
      .notNull(),
    /** Suggestions the backend made whose offsets did not match their text (or named no label of the project). */
    dropped: integer("dropped").notNull().default(0),
    at: integer("at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.recommenderId, t.modelVersion] })],
);
