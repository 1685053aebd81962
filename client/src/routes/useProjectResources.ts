import type { MemberDto } from "@gloss/shared";
import { useApi } from "../api/context";
import { useResource } from "../api/useResource";
import { useAnnounceProject } from "../components/CurrentProject";

/** Loads a project and announces it to the header (its name and the project's navigation). */
export function useProject(projectId: number) {
  const api = useApi();
  const project = useResource((signal) => api.projects.get(projectId, { signal }), [api, projectId]);
  useAnnounceProject(project.data);
  return project;
}

/** The project's members. */
export function useProjectMembers(projectId: number) {
  const api = useApi();
  return useResource<MemberDto[]>(
    (signal) => api.members.list(projectId, { signal }).then((r) => r.members),
    [api, projectId],
  );
}

/** The project's first 1,000 documents (the server's largest page), for document pickers. */
export function useProjectDocuments(projectId: number) {
  const api = useApi();
  return useResource(
    (signal) => api.documents.list(projectId, { limit: 1000 }, { signal }).then((r) => r.documents),
    [api, projectId],
  );
}
