/**
 * Server state through TanStack Query: one query key per resource, one hook per read, and the
 * invalidations each write needs. Keys nest under the project or document they belong to, so
 * `invalidate(projectScope(id))` re-reads everything a project page shows. The endpoints (URLs) are in
 * endpoints.ts; the cache and its refetch policy in queryClient.ts.
 */
import type { MemberDto } from "@gloss/shared";
import { type QueryClient, queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "./context";
import type { AgreementQueryParams, Endpoints, PageParams } from "./endpoints";
import { withOfflineCopy } from "./offlineCopy";
import { readHead } from "./readHead";

/** The documents filter of a list request. */
export interface DocumentFilter {
  status?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

/** Query keys, per resource. */
export const queryKeys = {
  me: ["me"] as const,
  projects: ["projects"] as const,
  /** Everything about one project (its detail, members, documents, queue, agreement, curation). */
  projectScope: (projectId: number) => ["project", projectId] as const,
  project: (projectId: number) => ["project", projectId, "detail"] as const,
  /** Every members list of a project (any filter) when `filter` is left out. */
  members: (projectId: number, filter?: PageParams) =>
    filter
      ? (["project", projectId, "members", filter] as const)
      : (["project", projectId, "members"] as const),
  memberPage: (projectId: number, filter: PageParams) =>
    ["project", projectId, "members", "page", filter] as const,
  /** Every documents list of a project (any filter) when `filter` is left out. */
  documents: (projectId: number, filter?: DocumentFilter) =>
    filter
      ? (["project", projectId, "documents", filter] as const)
      : (["project", projectId, "documents"] as const),
  /** Every page of the caller's queue in a project when `filter` is left out. */
  queue: (projectId: number, filter?: PageParams) =>
    filter ? (["project", projectId, "queue", filter] as const) : (["project", projectId, "queue"] as const),
  agreement: (projectId: number, query?: AgreementQueryParams) =>
    query
      ? (["project", projectId, "agreement", query] as const)
      : (["project", projectId, "agreement"] as const),
  projectCuration: (projectId: number, filter?: PageParams) =>
    filter
      ? (["project", projectId, "curation", filter] as const)
      : (["project", projectId, "curation"] as const),
  /** The head of an export (its preview), or every one of the project's when `url` is left out. */
  exportPreview: (projectId: number, url?: string) =>
    url !== undefined
      ? (["project", projectId, "export", url] as const)
      : (["project", projectId, "export"] as const),
  /** Every per-document query of every document (their pages show the project's labels and settings). */
  allDocuments: ["document"] as const,
  /** Everything about one document (its detail with project and team, layers, curation view). */
  documentScope: (documentId: number) => ["document", documentId] as const,
  documentContext: (documentId: number) => ["document", documentId, "context"] as const,
  layers: (documentId: number) => ["document", documentId, "layers"] as const,
  documentCuration: (documentId: number) => ["document", documentId, "curation"] as const,
};

/** Marks the queries under each key stale and re-reads those on screen. */
export function invalidate(client: QueryClient, ...keys: ReadonlyArray<readonly unknown[]>): Promise<void> {
  return Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey }))).then(() => undefined);
}

/** The project. */
export function useProjectQuery(projectId: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.project(projectId),
    queryFn: ({ signal }) => api.projects.get(projectId, { signal }),
  });
}

/** A page of the caller's projects; the previous page stays on screen while the next loads. */
export function useProjectsQuery(filter: PageParams = {}) {
  const api = useApi();
  return useQuery({
    queryKey: [...queryKeys.projects, filter],
    queryFn: ({ signal }) => api.projects.list(filter, { signal }),
    placeholderData: (previous) => previous,
  });
}

/**
 * The project's members matching `filter` (by default the first 1000, the largest page: the pickers of
 * agreement, export and assignment; the settings table pages through useMembersPageQuery).
 */
export function useMembersQuery(projectId: number, filter: PageParams = { limit: 1000 }) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.members(projectId, filter),
    queryFn: ({ signal }): Promise<MemberDto[]> =>
      api.members.list(projectId, filter, { signal }).then((r) => r.members),
  });
}

/** A page of the project's members with its `total`; the previous page stays on screen while the next loads. */
export function useMembersPageQuery(projectId: number, filter: PageParams) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.memberPage(projectId, filter),
    queryFn: ({ signal }) => api.members.list(projectId, filter, { signal }),
    placeholderData: (previous) => previous,
  });
}

/** A page of the project's documents (for `useQuery` and `queryClient.fetchQuery` alike). */
export const documentsQuery = (api: Endpoints, projectId: number, filter: DocumentFilter = { limit: 1000 }) =>
  queryOptions({
    queryKey: queryKeys.documents(projectId, filter),
    queryFn: ({ signal }) => api.documents.list(projectId, filter, { signal }),
  });

/** A page of the project's documents; the previous page stays on screen while the next one loads. */
export function useDocumentsQuery(projectId: number, filter?: DocumentFilter) {
  const api = useApi();
  return useQuery({ ...documentsQuery(api, projectId, filter), placeholderData: (previous) => previous });
}

/**
 * A page of the caller's queue in the project (for `useQuery` and `queryClient.fetchQuery` alike); by
 * default its first 1000 entries (the largest page).
 */
export const queueQuery = (api: Endpoints, projectId: number, filter: PageParams = { limit: 1000 }) =>
  queryOptions({
    queryKey: queryKeys.queue(projectId, filter),
    queryFn: ({ signal }) => api.assignments.queue(projectId, filter, { signal }),
  });

/** A page of the caller's queue; the previous page stays on screen while the next one loads. */
export function useQueueQuery(projectId: number, filter?: PageParams) {
  return useQuery({ ...queueQuery(useApi(), projectId, filter), placeholderData: (previous) => previous });
}

/**
 * The first few kilobytes of an export at `url` (null: none wanted), with the URL they came from; the
 * previous preview stays on screen while the next one loads. A preview left (another URL, the page
 * closed) is cancelled, and with it the server's export.
 */
export function useExportPreviewQuery(projectId: number, url: string | null) {
  return useQuery({
    queryKey: queryKeys.exportPreview(projectId, url ?? ""),
    queryFn: async ({ signal }) => ({ ...(await readHead(url!, signal)), url: url! }),
    enabled: url !== null,
    placeholderData: (previous) => previous,
  });
}

/** The layers of a document (curators and managers: `enabled`). */
/**
 * Reads behind a page with a live document (annotate, curate): re-read when its socket reconnects
 * (useOnReconnect) or the browser is back online, not when the window regains focus. The mouse-down that
 * focuses a window also starts a selection, and a re-read landing mid-drag re-renders the page around it.
 */
const LIVE_PAGE = { refetchOnWindowFocus: false } as const;

export function useLayersQuery(documentId: number, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.layers(documentId),
    queryFn: ({ signal }) => api.documents.layers(documentId, { signal }).then((r) => r.layers),
    enabled,
    ...LIVE_PAGE,
  });
}

/** The agreement report for a query; the previous report stays on screen while the next is computed. */
export function useAgreementQuery(projectId: number, query: AgreementQueryParams) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.agreement(projectId, query),
    queryFn: ({ signal }) => api.agreement.report(projectId, query, { signal }),
    placeholderData: (previous) => previous,
  });
}

/** A page of the project's curation progress; the previous page stays on screen while the next loads. */
export function useProjectCurationQuery(projectId: number, filter: PageParams = {}) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.projectCuration(projectId, filter),
    queryFn: ({ signal }) => api.curation.project(projectId, filter, { signal }),
    placeholderData: (previous) => previous,
  });
}

/** A document's curation view. */
export function useDocumentCurationQuery(documentId: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.documentCuration(documentId),
    queryFn: ({ signal }) => api.curation.view(documentId, { signal }),
  });
}

/** A document with its project and team: what every per-document page needs first. */
export function useDocumentContextQuery(documentId: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.documentContext(documentId),
    // offline, the copy kept when it was last opened: the page opens with its layers from IndexedDB
    queryFn: ({ signal }) =>
      withOfflineCopy(`document:${documentId}`, () => readDocumentContext(api, documentId, signal)),
    ...LIVE_PAGE,
  });
}

async function readDocumentContext(api: Endpoints, documentId: number, signal: AbortSignal) {
  const document = await api.documents.get(documentId, { signal });
  const [project, members] = await Promise.all([
    api.projects.get(document.projectId, { signal }),
    // empty when the caller may not list members
    api.members.list(document.projectId, { limit: 1000 }, { signal }).then(
      (r) => r.members,
      () => [] as MemberDto[],
    ),
  ]);
  return { document, project, members };
}
