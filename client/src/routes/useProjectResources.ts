import { useProjectQuery } from "../api/queries";
import { useAnnounceProject } from "../components/CurrentProject";

/** Reads a project and announces it to the header (its name and the project's navigation). */
export function useProject(projectId: number) {
  const project = useProjectQuery(projectId);
  useAnnounceProject(project.data);
  return project;
}
