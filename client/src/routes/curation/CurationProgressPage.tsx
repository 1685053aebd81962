/**
 * /projects/:projectId/curation (curators, managers): every document's curation status and open
 * disagreements, progress in figures and a bar, and the next document to curate.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useProjectCurationQuery } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";
import { ProgressBar } from "../../components/ProgressBar";
import { StatusChip } from "../../components/StatusChip";
import { usePageTitle } from "../../components/usePageTitle";
import "./curation.css";
import { useProject } from "../useProjectResources";

const route = getRouteApi("/_auth/projects/$projectId/curation");

/** The project curation page. */
export function CurationProgressPage() {
  const { projectId } = route.useParams();
  const navigate = useNavigate();
  const project = useProject(projectId);
  const progress = useProjectCurationQuery(projectId);
  usePageTitle(project.data ? `Curation — ${project.data.name}` : "Curation");
  const p = progress.data;
  const next = p?.documents.find((d) => d.documentId === p.nextDocumentId);

  return (
    <div className="page curation-progress">
      <div className="page-title">
        <h1>Curation</h1>
        <span className="row">
          <Link to="/projects/$projectId/agreement" params={{ projectId }}>
            Agreement
          </Link>
          <Link to="/projects/$projectId/export" params={{ projectId }}>
            Export
          </Link>
        </span>
      </div>
      {project.error ? <ErrorMessage error={project.error} /> : null}
      {progress.error ? (
        <ErrorMessage error={progress.error} title="Could not load curation progress" />
      ) : null}
      {p ? (
        <>
          <section className="panel" aria-labelledby="progress-title">
            <div className="page-title">
              <h2 id="progress-title">Progress</h2>
              <button
                type="button"
                className="primary next-doc"
                disabled={!next}
                onClick={() =>
                  next &&
                  navigate({ to: "/documents/$documentId/curate", params: { documentId: next.documentId } })
                }
              >
                {next ? `Next document to curate: ${next.name}` : "Nothing left to curate"}
              </button>
            </div>
            <p className="meta">
              <ProgressBar done={p.counts.done} total={p.counts.documents} label="Documents curated" />
              <span>{p.counts.todo} to do</span>
              <span>{p.counts.in_progress} in progress</span>
              <span>{p.counts.done} done</span>
              <span>{p.counts.open} open disagreements</span>
            </p>
          </section>
          {p.documents.length === 0 ? (
            <p className="empty">No documents yet.</p>
          ) : (
            <table className="curation-table" aria-busy={progress.isFetching}>
              <thead>
                <tr>
                  <th scope="col">Document</th>
                  <th scope="col">Status</th>
                  <th scope="col">Annotators</th>
                  <th scope="col">Disagreements</th>
                  <th scope="col">Open</th>
                  <th scope="col">Gold spans</th>
                </tr>
              </thead>
              <tbody>
                {p.documents.map((d) => (
                  <tr key={d.documentId} data-document={d.documentId}>
                    <td>
                      <Link to="/documents/$documentId/curate" params={{ documentId: d.documentId }}>
                        {d.name}
                      </Link>
                    </td>
                    <td>
                      <StatusChip status={d.status} />
                      {d.changedAfterCuration ? (
                        <span
                          className="chip changed-after"
                          title="An annotator changed their layer after curation started"
                        >
                          changed after curation
                        </span>
                      ) : null}
                    </td>
                    <td className="num">
                      {d.annotatedLayers} of {d.annotators} annotated
                    </td>
                    <td className="num">{d.disagreements}</td>
                    <td className="num">{d.open ? <strong>{d.open}</strong> : "0"}</td>
                    <td className="num">{d.goldSpans}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : progress.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
    </div>
  );
}
