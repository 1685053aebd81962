/**
 * /projects/:projectId/curation (curators, managers): the project's curation progress in figures and a bar,
 * the next document to curate, and a page of its documents (status, open disagreements), searched, filtered
 * and sorted by the server.
 */
import type { AssignmentStatus } from "@gloss/shared";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useProjectCurationQuery } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SearchField, StatusFilter } from "../../components/Filters";
import { Pager } from "../../components/Pager";
import { ProgressBar } from "../../components/ProgressBar";
import { StatusChip } from "../../components/StatusChip";
import { useDebounced } from "../../components/useDebounced";
import { usePageTitle } from "../../components/usePageTitle";
import { useProject } from "../useProjectResources";
import styles from "./CurationPage.module.css";

const route = getRouteApi("/_auth/projects/$projectId/curation");

const PAGE = 100;
type Sort = "id" | "name" | "open" | "disagreements";

/** The project curation page. */
export function CurationProgressPage() {
  const { projectId } = route.useParams();
  const navigate = useNavigate();
  const project = useProject(projectId);
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<AssignmentStatus | "">("");
  const [openOnly, setOpenOnly] = useState(false);
  const [sort, setSort] = useState<Sort>("id");
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q.trim(), 250);
  const progress = useProjectCurationQuery(projectId, {
    q: search || undefined,
    status: status || undefined,
    open: openOnly ? "true" : undefined,
    sort: sort === "id" ? undefined : sort,
    limit: PAGE,
    offset,
  });
  usePageTitle(project.data ? `Curation — ${project.data.name}` : "Curation");
  const p = progress.data;
  const nextId = p?.nextDocumentId ?? null;
  /** A filter changed: back to the first page. */
  const refilter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setOffset(0);
    };
  const filtered = search !== "" || status !== "" || openOnly;

  return (
    <div className="page">
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
                className={`primary ${styles.nextDoc}`}
                disabled={nextId === null}
                onClick={() =>
                  nextId !== null &&
                  navigate({ to: "/documents/$documentId/curate", params: { documentId: nextId } })
                }
              >
                {nextId !== null
                  ? `Next document to curate: ${p.nextDocumentName}`
                  : "Nothing left to curate"}
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
          <search className="row wrap" aria-label="Search the documents">
            <SearchField value={q} onChange={refilter(setQ)} />
            <StatusFilter value={status} onChange={refilter(setStatus)} />
            <label className="inline">
              <input
                type="checkbox"
                checked={openOnly}
                onChange={(e) => refilter(setOpenOnly)(e.target.checked)}
              />
              with open disagreements
            </label>
            <label>
              Sort by
              <select value={sort} onChange={(e) => refilter(setSort)(e.target.value as Sort)}>
                <option value="id">import order</option>
                <option value="name">name</option>
                <option value="open">most open first</option>
                <option value="disagreements">most disagreements first</option>
              </select>
            </label>
          </search>
          {p.documents.length === 0 ? (
            <p className="g-empty">{filtered ? "No document matches." : "No documents yet."}</p>
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
          <Pager
            of="documents"
            offset={offset}
            limit={PAGE}
            shown={p.documents.length}
            total={p.total}
            onOffset={setOffset}
          />
        </>
      ) : progress.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
    </div>
  );
}
