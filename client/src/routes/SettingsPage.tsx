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
import { SuggestionSettings } from "./settings/SuggestionSettings";
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
  // the annotators to assign to (a member added above is offered below: adding one invalidates it)
  const annotators = useMembersQuery(p.id, { role: "annotator", limit: 1000 });
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
        <a href="#suggestions">Suggestions</a>
      </nav>
      <GeneralSettings project={p} />
      <LabelSettings projectId={p.id} labels={p.labels} />
      <MemberSettings projectId={p.id} selfId={user.id} />
      <AssignmentSettings project={p} members={annotators.data ?? []} />
      <ImportDocuments projectId={p.id} />
      <SuggestionSettings projectId={p.id} />
    </div>
  );
}
