/**
 * The curation endpoints (docs/curation.md), kept beside the pages rather than in api/endpoints.ts
 * (another helper's file). The view is read with `?offsets=utf16` so its offsets index the JavaScript
 * string directly; decisions that carry offsets (edit) are sent in the same unit.
 */
import type {
  AssignmentStatus,
  AutoMergeBody,
  AutoMergeResultDto,
  CurationDecisionBody,
  CurationDecisionResultDto,
  DocumentCurationDto,
  ProjectCurationDto,
} from "@gloss/shared";
import { type Api, createApi, type RequestOptions } from "../../api/client";

const UTF16 = { offsets: "utf16" } as const;

/** The curation calls. */
export function curationApi(api: Api = createApi()) {
  return {
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
        {
          status,
        },
      ),
    project: (projectId: number, o?: RequestOptions) =>
      api.get<ProjectCurationDto>(`/api/projects/${projectId}/curation`, o),
  };
}

export type CurationApi = ReturnType<typeof curationApi>;
