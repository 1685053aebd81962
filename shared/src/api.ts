/**
 * The REST contract: zod schemas for every request body (the server validates with them, the client
 * builds requests with them) and the response shapes. Lists come as `{ <plural>: [...] }`, single
 * objects bare, errors as `{ error: { code, message, details? } }`.
 */
import { z } from "zod";

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
export const Password = z.string().min(8, "at least 8 characters").max(1024);

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

export interface UserDto {
  id: number;
  username: string;
  displayName: string;
  isAdmin: boolean;
}

export const CreateTokenBody = z.object({ name: z.string().min(1).max(128) });
export interface TokenDto {
  id: number;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
}
/** Returned once, at creation. */
export interface CreatedTokenDto extends TokenDto {
  token: string;
}

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

export interface LabelDto {
  id: number;
  projectId: number;
  name: string;
  color: string;
  hotkey: string | null;
  description: string;
  order: number;
}

// ---------- projects ----------
export const CreateProjectBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  mode: ProjectMode.optional(),
  annotatorsPerDocument: z.number().int().min(1).max(50).optional(),
  snapping: Snapping.optional(),
  relationTypes: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  labels: z.array(LabelInput).max(200).optional(),
});
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const PatchProjectBody = CreateProjectBody.omit({ labels: true }).partial();
export type PatchProjectBody = z.infer<typeof PatchProjectBody>;

export interface ProjectDto {
  id: number;
  name: string;
  description: string;
  mode: ProjectMode;
  annotatorsPerDocument: number;
  snapping: Snapping;
  relationTypes: string[];
  createdAt: number;
  /** The caller's role (null for an instance admin who is not a member). */
  role: Role | null;
  labels: LabelDto[];
  /** Progress figures for the project list. */
  stats?: { documents: number; assignments: number; done: number; curated: number };
}

// ---------- members ----------
export const AddMemberBody = z.object({ username: z.string().min(1).max(64), role: Role });
export const PatchMemberBody = z.object({ role: Role });
export interface MemberDto {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
}

// ---------- documents ----------
export const DocumentInput = z.object({
  text: z.string(),
  name: z.string().max(500).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export const ImportDocumentsBody = z.object({ documents: z.array(DocumentInput).min(1) });
export type ImportDocumentsBody = z.infer<typeof ImportDocumentsBody>;

export interface ImportResultDto {
  imported: Array<{ id: number; name: string; sha256: string }>;
  /** Duplicates (same sha256 in the project) that were skipped. */
  skipped: Array<{ name: string; sha256: string; existingId: number; source: string }>;
}

export interface DocumentSummaryDto {
  id: number;
  projectId: number;
  name: string;
  sha256: string;
  /** Length in Unicode code points. */
  length: number;
  createdAt: number;
  /** Per-annotator assignment status. */
  assignments: Array<{ userId: number; username: string; status: AssignmentStatus }>;
  curation: AssignmentStatus;
}

export interface DocumentDto extends DocumentSummaryDto {
  text: string;
  meta: Record<string, unknown>;
}

/** GET /projects/:id/documents?status=&q=&limit=&offset= */
export const ListDocumentsQuery = z.object({
  status: AssignmentStatus.optional(),
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuery>;

/** GET /projects/:id/documents: a page of documents; `total` counts every match. */
export interface DocumentListDto {
  documents: DocumentSummaryDto[];
  total: number;
}

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

export interface AssignmentDto {
  documentId: number;
  userId: number;
  status: AssignmentStatus;
}

/** One entry of an annotator's queue. */
export interface QueueItemDto {
  documentId: number;
  name: string;
  status: AssignmentStatus;
  updatedAt: number;
}

/**
 * GET /projects/:id/queue: the caller's queue in document order, and the document to open next (first not
 * done), or null.
 */
export interface QueueDto {
  queue: QueueItemDto[];
  next: number | null;
}

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

export interface SpanDto {
  id: string;
  start: number;
  end: number;
  label: number;
  labelName: string;
  text: string;
  author: number | null;
  createdAt: number;
  updatedAt: number | null;
  note: string | null;
}

export interface RelationDto {
  id: string;
  from: string;
  to: string;
  type: string;
  author: number | null;
  createdAt: number;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}
