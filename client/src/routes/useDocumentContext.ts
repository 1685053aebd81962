import type { DocumentDto, MemberDto, ProjectDto } from "@gloss/shared";
import { useDocumentContextQuery } from "../api/queries";
import { useAnnounceProject } from "../components/CurrentProject";

/** A document with its project and team: what every per-document page needs first. */
export interface DocumentContext {
  document: DocumentDto;
  project: ProjectDto;
  /** Empty when the caller may not list members. */
  members: MemberDto[];
}

/** Reads a document, then its project and members, and announces the project to the header. */
export function useDocumentContext(documentId: number) {
  const data = useDocumentContextQuery(documentId);
  useAnnounceProject(data.data?.project);
  return data;
}
