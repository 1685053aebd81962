/** A project's documents with per-annotator status and progress, a filter and a search; the user's queue. */
import { canManage, type DocumentSummaryDto, type ProjectDto } from "@gloss/shared";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { useDocumentsQuery } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { SearchField } from "../components/Filters";
import { ProgressBar } from "../components/ProgressBar";
import { QueryView } from "../components/QueryView";
import { StatusChip } from "../components/StatusChip";
import { useDebounced } from "../components/useDebounced";
import { usePageTitle } from "../components/usePageTitle";
import { useUser } from "../session";
import { QueuePanel } from "./QueuePanel";
import { useProject } from "./useProjectResources";

const route = getRouteApi("/_auth/projects/$projectId");

/** The project page. */
export function ProjectPage() {
  const { projectId } = route.useParams();
  const project = useProject(projectId);
  usePageTitle(project.data?.name ?? "Project");
  return (
    <QueryView query={project} heading="Project">
      {(p) => <ProjectView project={p} />}
    </QueryView>
  );
}

function ProjectView({ project }: { project: ProjectDto }) {
  const user = useUser();
  const role = project.role ?? (user.isAdmin ? "admin" : "annotator");
  return (
    <div className="page">
      <div className="page-title">
        <h1>{project.name}</h1>
        {canManage(role) ? (
          <Link to="/projects/$projectId/settings" params={{ projectId: project.id }}>
            Settings
          </Link>
        ) : null}
      </div>
      <p className="meta">
        <span>{project.mode === "shared" ? "Shared layer" : "Independent layers"}</span>
        <span>{project.annotatorsPerDocument} annotators per document</span>
        <span>{project.snapping === "word" ? "Word snapping" : "Character snapping"}</span>
      </p>
      {project.description ? <p>{project.description}</p> : null}
      <QueuePanel projectId={project.id} />
      <DocumentList projectId={project.id} />
    </div>
  );
}

/** Documents per request, and the most the server returns at once. */
const PAGE = 100;
const MAX_PAGE = 1000;

const STATUS_FILTERS = [
  { value: "", text: "All" },
  { value: "todo", text: "To do" },
  { value: "in_progress", text: "In progress" },
  { value: "done", text: "Done" },
] as const;

function DocumentList({ projectId }: { projectId: number }) {
  const [status, setStatus] = useState("");
  const [q, setQ] = useState("");
  const query = useDebounced(q.trim(), 250);
  const [limit, setLimit] = useState(PAGE);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts from the first page
  useEffect(() => setLimit(PAGE), [status, query]);
  const docs = useDocumentsQuery(projectId, { status, q: query, limit });
  const list = docs.data?.documents;
  const total = docs.data?.total ?? list?.length ?? 0;

  return (
    <section aria-labelledby="documents-title" className="documents">
      <h2 id="documents-title">Documents</h2>
      <search className="filters">
        <SearchField label="Search names and text" value={q} onChange={setQ} />
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUS_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.text}
              </option>
            ))}
          </select>
        </label>
      </search>
      {docs.error && !(docs.error instanceof ApiError && docs.error.status === 404) ? (
        <ErrorMessage error={docs.error} title="Could not load documents" />
      ) : null}
      {list ? (
        list.length === 0 ? (
          <p className="g-empty">{q || status ? "No document matches." : "No documents yet."}</p>
        ) : (
          <table className="doc-table" aria-busy={docs.isFetching}>
            <thead>
              <tr>
                <th scope="col">Document</th>
                <th scope="col">Length</th>
                <th scope="col">Annotators</th>
                <th scope="col">Progress</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <DocumentRow key={d.id} doc={d} />
              ))}
            </tbody>
          </table>
        )
      ) : docs.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
      {list && total > list.length ? (
        <p className="row">
          <span className="muted">
            Showing {list.length} of {total}.
          </span>
          {limit < MAX_PAGE ? (
            <button type="button" onClick={() => setLimit((l) => Math.min(MAX_PAGE, l + PAGE))}>
              Show more
            </button>
          ) : (
            <span className="muted">Narrow the search to see the rest.</span>
          )}
        </p>
      ) : null}
    </section>
  );
}

function DocumentRow({ doc }: { doc: DocumentSummaryDto }) {
  const done = doc.assignments.filter((a) => a.status === "done").length;
  return (
    <tr>
      <td>
        <Link to="/documents/$documentId" params={{ documentId: doc.id }}>
          {doc.name}
        </Link>
      </td>
      <td className="num">{doc.length.toLocaleString()}</td>
      <td>
        {doc.assignments.length === 0 ? (
          <span className="muted">unassigned</span>
        ) : (
          <ul className="chips">
            {doc.assignments.map((a) => (
              <li key={a.userId}>
                <StatusChip status={a.status} who={a.username} />
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <ProgressBar done={done} total={doc.assignments.length} label={`Progress of ${doc.name}`} />
      </td>
    </tr>
  );
}
