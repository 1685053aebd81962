/** Project settings for managers: general settings, labels, members, assignment, import. */
import { canManage, type ProjectDto } from "@gloss/shared";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useMembersQuery } from "../api/queries";
import { QueryView } from "../components/QueryView";
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
  const project = useProject(projectId);
  usePageTitle(project.data ? `Settings — ${project.data.name}` : "Settings");
  return (
    <QueryView query={project} heading="Settings">
      {(p) => <Settings project={p} />}
    </QueryView>
  );
}

function Settings({ project: p }: { project: ProjectDto }) {
  const user = useUser();
  // shared by the sections: a member added above can be assigned below, an import shows up in assignment
  const members = useMembersQuery(p.id);
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
      <GeneralSettings project={p} />
      <LabelSettings projectId={p.id} labels={p.labels} />
      <MemberSettings projectId={p.id} selfId={user.id} members={members.data} loadError={members.error} />
      <AssignmentSettings project={p} members={members.data ?? []} />
      <ImportDocuments projectId={p.id} />
    </div>
  );
}
