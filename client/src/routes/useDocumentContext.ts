import type { DocumentDto, MemberDto, ProjectDto } from "@gloss/shared";
import { useApi } from "../api/context";
import { useResource } from "../api/useResource";
import { useAnnounceProject } from "../components/CurrentProject";

/** A document with its project and team: what every per-document page needs first. */
export interface DocumentContext {
  document: DocumentDto;
  project: ProjectDto;
  /** Empty when the caller may not list members. */
  members: MemberDto[];
}

/** Loads a document, then its project and members in parallel, and announces the project to the header. */
export function useDocumentContext(documentId: number) {
  const api = useApi();
  const data = useResource<DocumentContext>(
    async (signal) => {
      const document = await api.documents.get(documentId, { signal });
      const [project, members] = await Promise.all([
        api.projects.get(document.projectId, { signal }),
        api.members.list(document.projectId, { signal }).then(
          (r) => r.members,
          () => [] as MemberDto[],
        ),
      ]);
      return { document, project, members };
    },
    [api, documentId],
  );
  useAnnounceProject(data.data?.project);
  return data;
}
