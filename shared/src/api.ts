/**
 * The REST contract: zod schemas for every request body (the server validates with them, the client
 * builds requests with them) and the response shapes, as zod schemas too: the OpenAPI document
 * (GET /api/openapi.json) is generated from them and the client's types are inferred from them, so the
 * three cannot drift. Lists come as `{ <plural>: [...] }`, single objects bare, errors as
 * `{ error: { code, message, details? } }`. `.meta({ id })` names a schema in the OpenAPI components.
 */
import { z } from "zod";
import { PageQuery, page } from "./api-pages";
import { MAX_LABELS_PER_PROJECT, RelationTypes } from "./labels";
import { MAX_ID } from "./rooms";

export const Role = z.enum(["manager", "curator", "annotator"]);
export type Role = z.infer<typeof Role>;
export const ProjectMode = z.enum(["independent", "shared"]);
export type ProjectMode = z.infer<typeof ProjectMode>;
export const Snapping = z.enum(["word", "character"]);
export type Snapping = z.infer<typeof Snapping>;
export const AssignmentStatus = z.enum(["todo", "in_progress", "done"]);
export type AssignmentStatus = z.infer<typeof AssignmentStatus>;

// ---------- auth ----------
export const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-zA-Z0-9_.-]+$/, "letters, digits, '_', '.', '-' only");
/** The password rule (issue 17): the server also refuses the most common passwords (a maintained list). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_RULE = `At least ${PASSWORD_MIN_LENGTH} characters, not only spaces, and not one of the most common passwords.`;
export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(1024)
  .refine((p) => p.trim() !== "", "not only whitespace");

export const RegisterBody = z.object({
  username: Username,
  password: Password,
  displayName: z.string().min(1).max(128).optional(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const UserDto = z
  .object({ id: z.number().int(), username: z.string(), displayName: z.string(), isAdmin: z.boolean() })
  .meta({ id: "User" });
export type UserDto = z.infer<typeof UserDto>;

export const CreateTokenBody = z.object({ name: z.string().min(1).max(128) });
export const TokenDto = z
  .object({
    id: z.number().int(),
    name: z.string(),
    /** The first characters of the token, to tell tokens apart. */
    prefix: z.string(),
    createdAt: z.number(),
    lastUsedAt: z.number().nullable(),
  })
  .meta({ id: "Token" });
export type TokenDto = z.infer<typeof TokenDto>;
/** Returned once, at creation. */
export const CreatedTokenDto = TokenDto.extend({ token: z.string() }).meta({ id: "CreatedToken" });
export type CreatedTokenDto = z.infer<typeof CreatedTokenDto>;

// ---------- labels ----------
export const HexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour like #1f77b4");
export const Hotkey = z.string().regex(/^[0-9a-z]$/, "one digit or lower-case letter");

export const LabelInput = z.object({
  name: z.string().trim().min(1).max(64),
  color: HexColor.optional(),
  hotkey: Hotkey.nullable().optional(),
  description: z.string().max(2000).optional(),
});
export type LabelInput = z.infer<typeof LabelInput>;

export const LabelPatch = z.object({
  name: z.string().trim().min(1).max(64).optional(),
  color: HexColor.optional(),
  hotkey: Hotkey.nullable().optional(),
  description: z.string().max(2000).optional(),
  order: z.number().int().min(0).optional(),
});
export type LabelPatch = z.infer<typeof LabelPatch>;

/** Reorder: the full list of label ids in their new order. */
export const LabelOrderBody = z.object({ order: z.array(z.number().int()) });

export const LabelDto = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    name: z.string(),
    color: z.string(),
    hotkey: z.string().nullable(),
    description: z.string(),
    order: z.number().int(),
  })
  .meta({ id: "Label" });
export type LabelDto = z.infer<typeof LabelDto>;

// ---------- projects ----------
export const CreateProjectBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  mode: ProjectMode.optional(),
  annotatorsPerDocument: z.number().int().min(1).max(50).optional(),
  snapping: Snapping.optional(),
  relationTypes: RelationTypes.optional(),
  labels: z.array(LabelInput).max(MAX_LABELS_PER_PROJECT).optional(),
});
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const PatchProjectBody = CreateProjectBody.omit({ labels: true }).partial();
export type PatchProjectBody = z.infer<typeof PatchProjectBody>;

export const ProjectDto = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    mode: ProjectMode,
    annotatorsPerDocument: z.number().int(),
    snapping: Snapping,
    relationTypes: z.array(z.string()),
    createdAt: z.number(),
    /** The caller's role (null for an instance admin who is not a member). */
    role: Role.nullable(),
    labels: z.array(LabelDto),
    /** Progress figures for the project list. */
    stats: z
      .object({ documents: z.number(), assignments: z.number(), done: z.number(), curated: z.number() })
      .optional(),
  })
  .meta({ id: "Project" });
export type ProjectDto = z.infer<typeof ProjectDto>;

/** GET /projects: a page of the caller's projects, newest first, `q` in the name. */
export const ListProjectsQuery = PageQuery.extend({ q: z.string().max(200).optional() });
export type ListProjectsQuery = z.infer<typeof ListProjectsQuery>;
/** A page of projects with the count of every match. */
export const ProjectListDto = page("projects", ProjectDto).meta({ id: "ProjectList" });
export type ProjectListDto = z.infer<typeof ProjectListDto>;

// ---------- members ----------
export const AddMemberBody = z.object({ username: z.string().min(1).max(64), role: Role });
export const PatchMemberBody = z.object({ role: Role });
export const MemberDto = z
  .object({ userId: z.number().int(), username: z.string(), displayName: z.string(), role: Role })
  .meta({ id: "Member" });
export type MemberDto = z.infer<typeof MemberDto>;

/** GET /projects/:id/members?role=&q=&limit=&offset= (`q`: in the username or display name). */
export const ListMembersQuery = PageQuery.extend({
  role: Role.optional(),
  q: z.string().max(200).optional(),
});
export type ListMembersQuery = z.infer<typeof ListMembersQuery>;

/** GET /projects/:id/members: a page, by username; `total` counts every match. */
export const MemberListDto = page("members", MemberDto).meta({ id: "MemberList" });
export type MemberListDto = z.infer<typeof MemberListDto>;

// ---------- documents ----------
export const DocumentInput = z.object({
  text: z.string(),
  name: z.string().max(500).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export const ImportDocumentsBody = z.object({ documents: z.array(DocumentInput).min(1) });
export type ImportDocumentsBody = z.infer<typeof ImportDocumentsBody>;

/** How many of an import's documents (and of its skipped duplicates) its response lists. */
export const IMPORT_RESULT_FIRST = 20;

export const ImportedDocumentDto = z
  .object({ id: z.number().int(), name: z.string(), sha256: z.string() })
  .meta({ id: "ImportedDocument" });
export type ImportedDocumentDto = z.infer<typeof ImportedDocumentDto>;

/** A duplicate (same sha256 in the project, or earlier in the same import) that was not stored again. */
export const SkippedDocumentDto = z
  .object({ name: z.string(), sha256: z.string(), existingId: z.number().int(), source: z.string() })
  .meta({ id: "SkippedDocument" });
export type SkippedDocumentDto = z.infer<typeof SkippedDocumentDto>;

/**
 * POST /projects/:id/documents: a summary whose size does not grow with the import — the counts and the
 * first IMPORT_RESULT_FIRST of each list, in file order. Every imported document is listed, a page at a
 * time, by `documents` (GET /projects/:id/documents?importId=); of the skipped duplicates only the count
 * and the first few are kept.
 */
export const ImportResultDto = z
  .object({
    /** The recorded import (`?importId=` of the documents list). */
    importId: z.number().int(),
    imported: z.object({ count: z.number().int(), first: z.array(ImportedDocumentDto) }),
    skipped: z.object({ count: z.number().int(), first: z.array(SkippedDocumentDto) }),
    /** The paginated list of the imported documents (a path under the API's origin). */
    documents: z.string(),
  })
  .meta({ id: "ImportResult" });
export type ImportResultDto = z.infer<typeof ImportResultDto>;

export const DocumentSummaryDto = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    name: z.string(),
    sha256: z.string(),
    /** Length in Unicode code points. */
    length: z.number().int(),
    createdAt: z.number(),
    /** Per-annotator assignment status. */
    assignments: z.array(
      z.object({ userId: z.number().int(), username: z.string(), status: AssignmentStatus }),
    ),
    curation: AssignmentStatus,
  })
  .meta({ id: "DocumentSummary" });
export type DocumentSummaryDto = z.infer<typeof DocumentSummaryDto>;

export const DocumentDto = DocumentSummaryDto.extend({
  text: z.string(),
  meta: z.record(z.string(), z.unknown()),
}).meta({ id: "Document" });
export type DocumentDto = z.infer<typeof DocumentDto>;

/** GET /projects/:id/documents?status=&q=&importId=&limit=&offset= (`importId`: stored by that import). */
export const ListDocumentsQuery = PageQuery.extend({
  status: AssignmentStatus.optional(),
  q: z.string().max(500).optional(),
  importId: z.coerce.number().int().positive().max(MAX_ID).optional(),
});
export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuery>;

/** GET /projects/:id/documents: a page of documents; `total` counts every match. */
export const DocumentListDto = z
  .object({ documents: z.array(DocumentSummaryDto), total: z.number().int() })
  .meta({ id: "DocumentList" });
export type DocumentListDto = z.infer<typeof DocumentListDto>;

/**
 * POST /projects/:id/documents?name= — the file name of a streamed (non-multipart) body. (Not `ImportQuery`:
 * that name is the annotation import's, in formats/options.ts.)
 */
export const ImportDocumentsQuery = z.object({ name: z.string().min(1).max(500).optional() });

// ---------- assignments ----------
export const AssignmentsBody = z.union([
  z.object({ documentIds: z.array(z.number().int()).min(1), userIds: z.array(z.number().int()).min(1) }),
  z.object({ auto: z.object({ perDocument: z.number().int().min(1).max(50).optional() }) }),
]);
export type AssignmentsBody = z.infer<typeof AssignmentsBody>;
export const PatchAssignmentBody = z.object({ status: AssignmentStatus });

/** DELETE /projects/:id/assignments */
export const RemoveAssignmentsBody = z.object({
  documentIds: z.array(z.number().int()).min(1),
  userIds: z.array(z.number().int()).min(1),
});

export const AssignmentDto = z
  .object({ documentId: z.number().int(), userId: z.number().int(), status: AssignmentStatus })
  .meta({ id: "Assignment" });
export type AssignmentDto = z.infer<typeof AssignmentDto>;

/** GET /projects/:id/assignments?status=&userId=&q=&limit=&offset= (`q`: in the document's name). */
export const ListAssignmentsQuery = PageQuery.extend({
  status: AssignmentStatus.optional(),
  userId: z.coerce.number().int().optional(),
  q: z.string().max(500).optional(),
});
export type ListAssignmentsQuery = z.infer<typeof ListAssignmentsQuery>;

/** GET /projects/:id/assignments: a page, by document then user; `total` counts every match. */
export const AssignmentPageDto = page("assignments", AssignmentDto).meta({ id: "AssignmentPage" });
export type AssignmentPageDto = z.infer<typeof AssignmentPageDto>;

/** GET /projects/:id/queue?status=&q=&limit=&offset= (`q`: in the document's name). */
export const QueueQuery = PageQuery.extend({
  status: AssignmentStatus.optional(),
  q: z.string().max(500).optional(),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

/** One entry of an annotator's queue. */
export const QueueItemDto = z
  .object({ documentId: z.number().int(), name: z.string(), status: AssignmentStatus, updatedAt: z.number() })
  .meta({ id: "QueueItem" });
export type QueueItemDto = z.infer<typeof QueueItemDto>;

/**
 * GET /projects/:id/queue: a page of the caller's queue in document order; `total` counts every match,
 * `remaining` every assignment of the caller's not done (whatever the filters), and `next` is the document
 * to open next (the first not done in the whole queue), or null.
 */
export const QueueDto = z
  .object({
    queue: z.array(QueueItemDto),
    total: z.number().int(),
    remaining: z.number().int(),
    next: z.number().int().nullable(),
  })
  .meta({ id: "Queue" });
export type QueueDto = z.infer<typeof QueueDto>;

// ---------- spans (REST over live layers) ----------
/** Offsets are code points by default; `?offsets=utf16` switches to UTF-16 code units. */
export const SpanBody = z.object({
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  /** Label id, or its name. */
  label: z.union([z.number().int(), z.string().min(1)]),
  note: z.string().max(10_000).optional(),
});
export type SpanBody = z.infer<typeof SpanBody>;
export const SpanPatchBody = SpanBody.partial();

export const RelationBody = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  type: z.string().min(1).max(64),
});
export const RelationPatchBody = RelationBody.partial();

/** A span as the API shows it: offsets in the request's unit, with its covered text and label name. */
export const SpanDto = z
  .object({
    id: z.string(),
    start: z.number().int(),
    end: z.number().int(),
    label: z.number().int(),
    labelName: z.string(),
    text: z.string(),
    author: z.number().int().nullable(),
    createdAt: z.number(),
    updatedAt: z.number().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: "Span" });
export type SpanDto = z.infer<typeof SpanDto>;

export const RelationDto = z
  .object({
    id: z.string(),
    /** Span ids of its ends. */
    from: z.string(),
    to: z.string(),
    type: z.string(),
    author: z.number().int().nullable(),
    createdAt: z.number(),
  })
  .meta({ id: "Relation" });
export type RelationDto = z.infer<typeof RelationDto>;

/** A stored relation as the API shows it (its ends are span ids, so no offsets to convert). */
export const relationDto = (r: {
  id: string;
  from: string;
  to: string;
  type: string;
  author?: number | null;
  createdAt: number;
}): RelationDto => ({
  id: r.id,
  from: r.from,
  to: r.to,
  type: r.type,
  author: r.author ?? null,
  createdAt: r.createdAt,
});

/** Every error response. `invalid_input` names the field in `message` and lists `{ path, message }` in `details`. */
export const ApiErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: "Error" });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
