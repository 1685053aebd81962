/** Project settings for managers: general settings, labels, members, assignment, import. */
import { canManage, type ProjectDto } from "@gloss/shared";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useState } from "react";
import { useApi } from "../api/context";
import { useResource } from "../api/useResource";
import { ErrorMessage } from "../components/ErrorMessage";
import { usePageTitle } from "../components/usePageTitle";
import { useUser } from "../session";
import { AssignmentSettings } from "./settings/AssignmentSettings";
import { GeneralSettings } from "./settings/GeneralSettings";
import { ImportDocuments } from "./settings/ImportDocuments";
import { LabelSettings } from "./settings/LabelSettings";
import { MemberSettings } from "./settings/MemberSettings";
import { useProject } from "./useProjectResources";

const route = getRouteApi("/_auth/projects/$projectId/settings");

/** The settings page. */
export function SettingsPage() {
  const { projectId } = route.useParams();
  const api = useApi();
  const user = useUser();
  const project = useProject(projectId);
  // shared by the sections: a member added above can be assigned below, an import shows up in assignment
  const members = useResource((signal) => api.members.list(projectId, { signal }), [api, projectId]);
  const [imports, setImports] = useState(0);
  usePageTitle(project.data ? `Settings — ${project.data.name}` : "Settings");

  if (project.error) {
    return (
      <div className="page">
        <h1>Settings</h1>
        <ErrorMessage error={project.error} />
      </div>
    );
  }
  const p = project.data;
  if (!p) return <p className="page muted">Loading…</p>;
  const role = p.role ?? (user.isAdmin ? "admin" : "annotator");
  if (!canManage(role)) {
    return (
      <div className="page">
        <h1>Settings</h1>
        <p>Only the project's managers can change its settings.</p>
        <Link to="/projects/$projectId" params={{ projectId: p.id }}>
          Back to the documents
        </Link>
      </div>
    );
  }
  const onProjectChange = (next: ProjectDto) => project.set(next);
  return (
    <div className="page settings">
      <h1>Settings — {p.name}</h1>
      <nav aria-label="Settings sections" className="section-nav">
        <a href="#general">General</a>
        <a href="#labels">Labels</a>
        <a href="#members">Members</a>
        <a href="#assignment">Assignment</a>
        <a href="#import">Import documents</a>
      </nav>
      <GeneralSettings project={p} onChange={onProjectChange} />
      <LabelSettings projectId={p.id} initial={p.labels} />
      <MemberSettings
        projectId={p.id}
        selfId={user.id}
        members={members.data?.members}
        loadError={members.error}
        onChange={(next) => members.set({ members: next })}
      />
      <AssignmentSettings project={p} members={members.data?.members ?? []} documentsVersion={imports} />
      <ImportDocuments projectId={p.id} onImported={() => setImports((n) => n + 1)} />
    </div>
  );
}
