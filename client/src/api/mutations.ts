/**
 * Server writes through TanStack Query: one `useMutation` hook per write, beside the reads of queries.ts.
 * Each hook owns what its write changes in the cache: the answer is put in place at once where a page
 * shows it, and exactly the queries the write makes stale are invalidated. Pages only say what follows
 * (a message, a navigation, a form reset) and show the pending state and the error (MutationStatus.tsx).
 */
import type {
  AssignmentStatus,
  AssignmentsBody,
  CreateProjectBody,
  CurationDecisionBody,
  LabelDto,
  LabelInput,
  LoginBody,
  MemberDto,
  PatchProjectBody,
  ProjectDto,
  RegisterBody,
  Role,
  UserDto,
} from "@gloss/shared";
import { type QueryClient, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "./client";
import { useApi } from "./context";
import type { Endpoints, ImportAnnotationsQuery } from "./endpoints";
import { clearOfflineCopies, keepOfflineCopy } from "./offlineCopy";
import { invalidate, queryKeys } from "./queries";

/** Switches the cache to `user` (null: signed out): nothing read as one user is shown to the next. */
export function becomeUser(client: QueryClient, user: UserDto | null): void {
  // nothing kept for one user is shown to the next; the new one is who opens offline from now on
  void clearOfflineCopies().then(() => (user ? keepOfflineCopy("session", { user }) : undefined));
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.me[0] });
  client.setQueryData(queryKeys.me, user);
}

/** A write that answers with the user it signs in (the guest routes' guard then takes them on). */
function useSignInWith<Body>(send: (api: Endpoints, body: Body) => Promise<UserDto>) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Body) => send(api, body),
    onSuccess: (user) => becomeUser(client, user),
  });
}

/** Signs in. */
export const useSignIn = () => useSignInWith((api, body: LoginBody) => api.auth.login(body));

/** Creates an account and signs in with it. */
export const useRegister = () => useSignInWith((api, body: RegisterBody) => api.auth.register(body));

/** Signs out; signed out here even when the server could not be told. */
export function useSignOut() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.auth.logout().catch(() => undefined),
    onSuccess: () => becomeUser(client, null),
  });
}

/** Creates a project: the projects list is stale. */
export function useCreateProject() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProjectBody) => api.projects.create(body),
    onSuccess: () => void invalidate(client, queryKeys.projects),
  });
}

/** Saves a project's settings: its detail at once; its name and settings on the projects page and every document's page. */
export function useUpdateProject(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PatchProjectBody) => api.projects.update(projectId, body),
    onSuccess: (project) => {
      client.setQueryData(queryKeys.project(projectId), project);
      void invalidate(client, queryKeys.projects, queryKeys.allDocuments);
    },
  });
}

/** The project's labels changed: in its detail at once, then everything that shows them re-read. */
function labelsChanged(client: QueryClient, projectId: number, next: (labels: LabelDto[]) => LabelDto[]) {
  client.setQueryData<ProjectDto>(queryKeys.project(projectId), (p) => p && { ...p, labels: next(p.labels) });
  // labels are part of the project, and of every page of its documents (palette, lanes, filters)
  void invalidate(client, queryKeys.projectScope(projectId), queryKeys.allDocuments);
}

/** Adds a label. */
export function useCreateLabel(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LabelInput) => api.labels.create(projectId, body),
    onSuccess: (created) => labelsChanged(client, projectId, (ls) => [...ls, created]),
  });
}

/** Saves a label's name, colour, hotkey and guideline. */
export function useUpdateLabel(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { label: LabelDto; body: LabelInput }) =>
      api.labels.update(projectId, v.label.id, v.body),
    onSuccess: (updated) =>
      labelsChanged(client, projectId, (ls) => ls.map((l) => (l.id === updated.id ? updated : l))),
  });
}

/** Deletes a label (409 while annotations use it). */
export function useRemoveLabel(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (label: LabelDto) => api.labels.remove(projectId, label.id),
    onSuccess: (_, label) => labelsChanged(client, projectId, (ls) => ls.filter((l) => l.id !== label.id)),
  });
}

/** Puts the labels in this order (every label id). */
export function useReorderLabels(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (order: number[]) => api.labels.reorder(projectId, order),
    onSuccess: (res) => labelsChanged(client, projectId, () => res.labels),
  });
}

/**
 * The team changed: every members list (the full one at once, its pages re-read), then what depends on the
 * team (queues, documents) re-read.
 */
function membersChanged(client: QueryClient, projectId: number, next: (members: MemberDto[]) => MemberDto[]) {
  client.setQueryData<MemberDto[]>(queryKeys.members(projectId, { limit: 1000 }), (list) =>
    list ? next(list) : undefined,
  );
  void invalidate(client, queryKeys.projectScope(projectId), queryKeys.allDocuments);
}

/** Adds a member by username. */
export function useAddMember(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; role: Role }) => api.members.add(projectId, body),
    onSuccess: (m) =>
      membersChanged(client, projectId, (list) =>
        [...list, m].sort((a, b) => a.username.localeCompare(b.username)),
      ),
  });
}

/** Changes a member's role. */
export function useSetMemberRole(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { member: MemberDto; role: Role }) =>
      api.members.setRole(projectId, v.member.userId, v.role),
    onSuccess: (updated, { member }) =>
      membersChanged(client, projectId, (list) =>
        list.map((x) => (x.userId === member.userId ? { ...x, ...updated } : x)),
      ),
  });
}

/** Removes a member from the project. */
export function useRemoveMember(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (member: MemberDto) => api.members.remove(projectId, member.userId),
    onSuccess: (_, member) =>
      membersChanged(client, projectId, (list) => list.filter((x) => x.userId !== member.userId)),
  });
}

/** Assigns documents, automatically or explicitly (an explicit one needs a document and an annotator). */
export function useAssign(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: AssignmentsBody) => {
      if ("documentIds" in body && (body.documentIds.length === 0 || body.userIds.length === 0))
        throw new Error("Choose at least one document and one annotator.");
      return api.assignments.create(projectId, body);
    },
    // the documents' annotators, everyone's queue, the progress figures, the documents' pages
    onSuccess: () =>
      void invalidate(client, queryKeys.projectScope(projectId), queryKeys.projects, queryKeys.allDocuments),
  });
}

/** Imports documents by upload (all or nothing; duplicates skipped). */
export function useUploadDocuments(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (files: File[]) => api.documents.upload(projectId, files),
    // new documents: the project's lists, figures and curation progress
    onSuccess: (res) => {
      if (res.imported.count > 0)
        void invalidate(client, queryKeys.projectScope(projectId), queryKeys.projects);
    },
  });
}

/** Imports annotations from a file into a layer (all or nothing: a 422 lists every problem). */
export function useImportAnnotations(projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, ...query }: ImportAnnotationsQuery & { file: File | undefined }) => {
      if (!file) throw new Error("Choose a file to import.");
      return api.annotations.import(projectId, file, query);
    },
    // new spans in a layer: agreement, curation, progress, and the project's labels when some were made
    onSuccess: () => void invalidate(client, queryKeys.projectScope(projectId), queryKeys.allDocuments),
  });
}

/** Marks a layer done or reopens it: the queue, the documents' progress and the layer list change. */
export function useSetLayerStatus(documentId: number, projectId: number) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { layer: string; status: "in_progress" | "done" }) =>
      api.documents.setStatus(documentId, v.layer, v.status),
    onSuccess: () =>
      void invalidate(
        client,
        queryKeys.documentScope(documentId),
        queryKeys.projectScope(projectId),
        queryKeys.projects,
      ),
  });
}

/**
 * Gold changed (or our view of it was stale, 409): the curation view (the server re-aligns the layers),
 * the layer list, the project's curation progress, agreement and export previews.
 */
export function invalidateGold(
  client: QueryClient,
  documentId: number,
  projectId: number,
  ...more: Array<readonly unknown[]>
) {
  void invalidate(
    client,
    queryKeys.documentCuration(documentId),
    queryKeys.layers(documentId),
    queryKeys.projectCuration(projectId),
    queryKeys.agreement(projectId),
    queryKeys.exportPreview(projectId),
    ...more,
  );
}

/** A curation write: gold changed when it succeeds; a 409 says our view was stale, so it is read again. */
function useGoldWrite<Vars, Result>(
  documentId: number,
  projectId: number,
  send: (api: Endpoints, vars: Vars) => Promise<Result>,
  alsoStale: Array<readonly unknown[]> = [],
) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: Vars) => send(api, vars),
    onSuccess: () => invalidateGold(client, documentId, projectId, ...alsoStale),
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) invalidateGold(client, documentId, projectId);
    },
  });
}

/** Sends a curation decision (compare-and-set on the site's gold state: 409 `already_decided`). */
export const useCurationDecision = (documentId: number, projectId: number) =>
  useGoldWrite(documentId, projectId, (api, body: CurationDecisionBody) =>
    api.curation.decide(documentId, body),
  );

/** Auto-merges what enough annotators agree on (`threshold` of them; all when left out) into gold. */
export const useAutoMerge = (documentId: number, projectId: number) =>
  useGoldWrite(documentId, projectId, (api, threshold: number | undefined) =>
    api.curation.autoMerge(documentId, threshold ? { threshold } : {}),
  );

/** Sets the document's curation status (the documents list shows it, gold exports follow it). */
export const useSetCurationStatus = (documentId: number, projectId: number) =>
  useGoldWrite(
    documentId,
    projectId,
    (api, status: AssignmentStatus) => api.curation.setStatus(documentId, status),
    [queryKeys.documents(projectId)],
  );
