/**
 * Typed calls for every REST route the client uses (the contract is shared/src/api.ts): the one module
 * that knows the API's URLs. Request bodies are the shared zod input types, so the client builds exactly
 * what the server validates. Pages reach these through the query hooks of api/queries.ts.
 */
import type {
  AcceptAllBody,
  AcceptInviteBody,
  AdminUserDto,
  AgreementReportPage,
  AssignmentDto,
  AssignmentPageDto,
  AssignmentStatus,
  AssignmentsBody,
  AutoMergeBody,
  AutoMergeResultDto,
  CreatedUserDto,
  CreateProjectBody,
  CreateUserBody,
  CurationDecisionBody,
  CurationDecisionResultDto,
  DocumentCurationDto,
  DocumentDto,
  DocumentListDto,
  ImportResultDto,
  InviteDto,
  LabelDto,
  LabelInput,
  LabelPatch,
  LayerSummaryDto,
  LoginBody,
  MemberDto,
  MemberListDto,
  PatchProjectBody,
  ProjectCurationDto,
  ProjectDto,
  ProjectListDto,
  QueueDto,
  RecommenderDto,
  RecommenderInput,
  RecommenderPatch,
  RecommenderQualityDto,
  RegisterBody,
  ResetPasswordDto,
  Role,
  SessionDto,
  SpanDto,
  SuggestionKey,
  SuggestionListDto,
  UserDto,
  UserListDto,
} from "@gloss/shared";
import type { Api, RequestOptions } from "./client";

/** What the annotation import answers on success. */
export interface ImportAnnotationsResult {
  documents: number;
  spans: number;
  relations: number;
  skipped: number;
  createdLabels: string[];
  /** Lines of the file Gloss cannot carry, by kind (brat events, attributes, …); absent when none. */
  notImported?: Record<string, number>;
}

/** The query of an annotation import (POST /api/projects/:id/annotations/import). */
export interface ImportAnnotationsQuery {
  format: string;
  layer: string;
  createLabels: boolean;
  offsets?: "codepoint" | "utf16";
}

/** The agreement report's query: the server's AgreementQuery, as comma lists. */
export type AgreementQueryParams = Record<string, string | number | undefined>;

/** The curation view is read with `?offsets=utf16`, so its offsets index the JavaScript string directly;
 * decisions that carry offsets (edit) are sent in the same unit. */
const UTF16 = { offsets: "utf16" } as const;

/** The streaming export's URL (a download link and the preview read it; GET with the session cookie). */
export const exportPath = (projectId: number, params: URLSearchParams) =>
  `/api/projects/${projectId}/export?${params.toString()}`;

/**
 * A layer as the client knows it: an entry of GET /api/documents/:id/layers (`LayerSummaryDto`), or a partial
 * one built from elsewhere (e.g. an assignment).
 */
export interface LayerInfo extends Partial<Omit<LayerSummaryDto, "layer">> {
  layer: string;
  /** The owner's username, when only that is known (e.g. from an assignment). */
  username?: string | null;
}

/** The query of a paginated list: its filters, `limit` (server default 100, max 1000) and `offset`. */
export type PageParams = Record<string, string | number | undefined>;

/** The REST API, grouped by resource. */
export function createEndpoints(api: Api) {
  const enc = encodeURIComponent;
  return {
    /** Liveness: answers once the server is up (the app's recovery probe, api/recovery.tsx). */
    health: (o?: RequestOptions) => api.get<{ ok: true }>("/api/health", o),
    auth: {
      me: (o?: RequestOptions) => api.get<UserDto>("/api/auth/me", o),
      /** Who is signed in (`user: null` when nobody is): a 200 either way. */
      session: (o?: RequestOptions) => api.get<SessionDto>("/api/auth/session", o),
      login: (body: LoginBody) => api.post<UserDto>("/api/auth/login", body),
      register: (body: RegisterBody) => api.post<UserDto>("/api/auth/register", body),
      logout: () => api.post<void>("/api/auth/logout"),
      /** Whom an invite link is for (404 when it no longer works). */
      invite: (token: string, o?: RequestOptions) => api.get<InviteDto>(`/api/auth/invites/${enc(token)}`, o),
      /** Sets the invitee's password through the link and signs them in. */
      acceptInvite: (token: string, body: AcceptInviteBody) =>
        api.post<UserDto>(`/api/auth/invites/${enc(token)}`, body),
    },
    projects: {
      /** A page of the caller's projects (`q` in the name, `limit`, `offset`), newest first; `total` counts every match. */
      list: (query: PageParams = {}, o?: RequestOptions) =>
        api.get<ProjectListDto>("/api/projects", { ...o, query }),
      get: (id: number, o?: RequestOptions) => api.get<ProjectDto>(`/api/projects/${id}`, o),
      create: (body: CreateProjectBody) => api.post<ProjectDto>("/api/projects", body),
      update: (id: number, body: PatchProjectBody) => api.patch<ProjectDto>(`/api/projects/${id}`, body),
    },
    members: {
      /** A page of members (`role`, `q`, `limit`, `offset`); `total` counts every match. */
      list: (projectId: number, query: PageParams = {}, o?: RequestOptions) =>
        api.get<MemberListDto>(`/api/projects/${projectId}/members`, { ...o, query }),
      add: (projectId: number, body: { username: string; role: Role }) =>
        api.post<MemberDto>(`/api/projects/${projectId}/members`, body),
      setRole: (projectId: number, userId: number, role: Role) =>
        api.patch<MemberDto>(`/api/projects/${projectId}/members/${userId}`, { role }),
      remove: (projectId: number, userId: number) =>
        api.delete<void>(`/api/projects/${projectId}/members/${userId}`),
    },
    labels: {
      list: (projectId: number, o?: RequestOptions) =>
        api.get<{ labels: LabelDto[] }>(`/api/projects/${projectId}/labels`, o),
      create: (projectId: number, body: LabelInput) =>
        api.post<LabelDto>(`/api/projects/${projectId}/labels`, body),
      update: (projectId: number, labelId: number, body: LabelPatch) =>
        api.patch<LabelDto>(`/api/projects/${projectId}/labels/${labelId}`, body),
      remove: (projectId: number, labelId: number) =>
        api.delete<void>(`/api/projects/${projectId}/labels/${labelId}`),
      /** The full list of label ids in their new order. */
      reorder: (projectId: number, order: number[]) =>
        api.put<{ labels: LabelDto[] }>(`/api/projects/${projectId}/labels/order`, { order }),
    },
    documents: {
      /** A page of documents (the server's default page is 100); `total` counts every match. */
      list: (
        projectId: number,
        filter: { status?: string; q?: string; importId?: number; limit?: number; offset?: number } = {},
        o?: RequestOptions,
      ) =>
        api.get<DocumentListDto>(`/api/projects/${projectId}/documents`, {
          ...o,
          query: {
            status: filter.status,
            q: filter.q,
            importId: filter.importId,
            limit: filter.limit,
            offset: filter.offset,
          },
        }),
      get: (id: number, o?: RequestOptions) => api.get<DocumentDto>(`/api/documents/${id}`, o),
      /** Imports files; the answer is a summary (counts, the first few, `importId` to list the rest). */
      upload: (projectId: number, files: Iterable<File>) => {
        const form = new FormData();
        for (const f of files) form.append("files", f, f.name);
        return api.post<ImportResultDto>(`/api/projects/${projectId}/documents`, form);
      },
      layers: (id: number, o?: RequestOptions) =>
        api.get<{ layers: LayerSummaryDto[] }>(`/api/documents/${id}/layers`, o),
      spans: (id: number, layer: string, o?: RequestOptions) =>
        api.get<{ spans: SpanDto[] }>(`/api/documents/${id}/layers/${enc(layer)}/spans`, o),
      /** Marks a layer done (read-only until reopened) or reopens it: the server's to decide, never the socket's. */
      setStatus: (id: number, layer: string, status: "in_progress" | "done") =>
        api.put<{ layer: string; status: string }>(`/api/documents/${id}/layers/${enc(layer)}/state`, {
          status,
        }),
    },
    assignments: {
      create: (projectId: number, body: AssignmentsBody) =>
        api.post<{ assignments: AssignmentDto[] }>(`/api/projects/${projectId}/assignments`, body),
      /** A page of assignments (`status`, `userId`, `q`, `limit`, `offset`); `total` counts every match. */
      list: (projectId: number, query: PageParams = {}, o?: RequestOptions) =>
        api.get<AssignmentPageDto>(`/api/projects/${projectId}/assignments`, { ...o, query }),
      /** A page of the caller's queue (`status`, `q`, `limit`, `offset`), with `total`, `remaining`, `next`. */
      queue: (projectId: number, query: PageParams = {}, o?: RequestOptions) =>
        api.get<QueueDto>(`/api/projects/${projectId}/queue`, { ...o, query }),
    },
    users: {
      /** A page of accounts (instance admins; `q`, `limit`, `offset`); `total` counts every match. */
      list: (query: PageParams = {}, o?: RequestOptions) =>
        api.get<UserListDto>("/api/users", { ...o, query }),
      /** Creates an account; without a password, the generated one comes back once (`password`). */
      create: (body: CreateUserBody) => api.post<CreatedUserDto>("/api/users", body),
      /** Disables (its sessions and tokens end) or enables an account. */
      setDisabled: (id: number, disabled: boolean) =>
        api.patch<AdminUserDto>(`/api/users/${id}`, { disabled }),
      /** A new generated password for the account, returned once. */
      resetPassword: (id: number) => api.post<ResetPasswordDto>(`/api/users/${id}/password`),
    },
    agreement: {
      report: (projectId: number, query: AgreementQueryParams, o?: RequestOptions) =>
        api.get<AgreementReportPage>(`/api/projects/${projectId}/agreement`, { ...o, query }),
    },
    curation: {
      view: (documentId: number, o?: RequestOptions) =>
        api.get<DocumentCurationDto>(`/api/documents/${documentId}/curation`, { ...o, query: UTF16 }),
      autoMerge: (documentId: number, body: AutoMergeBody = {}) =>
        api.post<AutoMergeResultDto>(`/api/documents/${documentId}/curation/auto-merge`, body, {
          query: UTF16,
        }),
      decide: (documentId: number, body: CurationDecisionBody) =>
        api.post<CurationDecisionResultDto>(`/api/documents/${documentId}/curation/decisions`, body, {
          query: UTF16,
        }),
      setStatus: (documentId: number, status: AssignmentStatus) =>
        api.put<{ documentId: number; status: AssignmentStatus }>(
          `/api/documents/${documentId}/curation/status`,
          { status },
        ),
      /** A page of the project's curation progress (`q`, `status`, `open`, `sort`, `limit`, `offset`). */
      project: (projectId: number, query: PageParams = {}, o?: RequestOptions) =>
        api.get<ProjectCurationDto>(`/api/projects/${projectId}/curation`, { ...o, query }),
    },
    /** Recommenders and their suggestions (issue 14); suggestions in UTF-16 offsets, like the layer. */
    suggestions: {
      recommenders: (projectId: number, o?: RequestOptions) =>
        api.get<{ recommenders: RecommenderDto[] }>(`/api/projects/${projectId}/recommenders`, o),
      createRecommender: (projectId: number, body: RecommenderInput) =>
        api.post<RecommenderDto>(`/api/projects/${projectId}/recommenders`, body),
      updateRecommender: (projectId: number, id: number, body: RecommenderPatch) =>
        api.patch<RecommenderDto>(`/api/projects/${projectId}/recommenders/${id}`, body),
      removeRecommender: (projectId: number, id: number) =>
        api.delete<void>(`/api/projects/${projectId}/recommenders/${id}`),
      quality: (projectId: number, id: number, o?: RequestOptions) =>
        api.get<RecommenderQualityDto>(`/api/projects/${projectId}/recommenders/${id}/quality`, o),
      list: (documentId: number, o?: RequestOptions) =>
        api.get<SuggestionListDto>(`/api/documents/${documentId}/suggestions`, { ...o, query: UTF16 }),
      accept: (documentId: number, body: SuggestionKey) =>
        api.post<SpanDto>(`/api/documents/${documentId}/suggestions/accept`, body, { query: UTF16 }),
      reject: (documentId: number, body: SuggestionKey) =>
        api.post<void>(`/api/documents/${documentId}/suggestions/reject`, body, { query: UTF16 }),
      acceptAll: (documentId: number, body: AcceptAllBody) =>
        api.post<{ accepted: SpanDto[] }>(`/api/documents/${documentId}/suggestions/accept-all`, body, {
          query: UTF16,
        }),
    },
    annotations: {
      /** All or nothing: the counts, or a 422 whose details list every problem with its file and line. */
      import: (projectId: number, file: File, q: ImportAnnotationsQuery) => {
        const form = new FormData();
        form.append("file", file, file.name);
        return api.post<ImportAnnotationsResult>(`/api/projects/${projectId}/annotations/import`, form, {
          query: {
            format: q.format,
            layer: q.layer,
            createLabels: q.createLabels ? "true" : "false",
            offsets: q.offsets,
          },
        });
      },
    },
  };
}

export type Endpoints = ReturnType<typeof createEndpoints>;
