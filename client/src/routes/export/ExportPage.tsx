/**
 * /projects/:projectId/export (managers, curators): choose a format, a layer, offsets, filters and the
 * format's options; the download is a plain link to the streaming export (the browser saves it as it
 * arrives); a preview shows the first records. Below, the annotation import (managers; curators into gold).
 */
import {
  canManage,
  type DocumentSummaryDto,
  type MemberDto,
  type ProjectDto,
  type ProjectRole,
} from "@gloss/shared";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useMembersQuery, useProjectCurationQuery } from "../../api/queries";
import { QueryView } from "../../components/QueryView";
import { usePageTitle } from "../../components/usePageTitle";
import { useUser } from "../../session";
import { ExportForm, type LayerChoice } from "./ExportForm";
import { ExportPreview } from "./ExportPreview";
import { DEFAULT_EXPORT, type ExportState, exportProblem, exportUrl, uncuratedLeftOut } from "./exportQuery";
import { ImportPanel } from "./ImportPanel";
import "./export.css";
import { useProject } from "../useProjectResources";

/** The export layers: gold, majority, every annotator, the shared layer, then each annotator. */
export function exportLayers(members: readonly MemberDto[]): LayerChoice[] {
  return [
    { value: "gold", text: "Gold (curated)" },
    { value: "majority", text: "Majority vote of the annotators" },
    { value: "all", text: "Every annotator (one record per document and annotator)" },
    { value: "shared", text: "Shared layer" },
    ...annotatorLayers(members),
  ];
}

function annotatorLayers(members: readonly MemberDto[]): LayerChoice[] {
  return members
    .filter((m) => m.role === "annotator")
    .map((m) => ({ value: `user-${m.userId}`, text: `${m.displayName || m.username}'s layer` }));
}

const route = getRouteApi("/_auth/projects/$projectId/export");

/** The export page. */
export function ExportPage() {
  const { projectId } = route.useParams();
  const project = useProject(projectId);
  usePageTitle(project.data ? `Export — ${project.data.name}` : "Export");
  return (
    <QueryView query={project} heading="Export">
      {(p) => <ExportView project={p} />}
    </QueryView>
  );
}

function ExportView({ project }: { project: ProjectDto }) {
  const projectId = project.id;
  const me = useUser();
  const members = useMembersQuery(projectId);
  // the project's curation counts, whatever the filters: the documents a gold export of all leaves out
  const curation = useProjectCurationQuery(projectId, { limit: 1 });
  const [form, setForm] = useState<ExportState>(DEFAULT_EXPORT);
  // the picker keeps the chosen documents whole (names and curation status); the export sends their ids
  const [chosen, setChosen] = useState<DocumentSummaryDto[]>([]);
  const state: ExportState = { ...form, documents: chosen.map((d) => d.id) };
  const role: ProjectRole = project.role ?? (me.isAdmin ? "admin" : "annotator");
  const labels = [...project.labels].sort((a, b) => a.order - b.order);
  const layers = exportLayers(members.data ?? []);
  const problem = exportProblem(state);
  const url = problem ? null : exportUrl(projectId, state);
  // managers import into any layer; curators into gold only (the server checks the same)
  const importLayers = canManage(role)
    ? [
        { value: "gold", text: "Gold" },
        { value: "shared", text: "Shared layer" },
        ...annotatorLayers(members.data ?? []),
      ]
    : [{ value: "gold", text: "Gold" }];

  return (
    <div className="page export-page">
      <h1>Export</h1>
      <p className="muted">
        Offsets count Unicode code points by default (what Python indexes), end-exclusive; every span carries
        the text it covers.
      </p>
      <ExportForm
        state={state}
        onChange={setForm}
        layers={layers}
        labels={labels}
        projectId={projectId}
        documents={chosen}
        onDocuments={setChosen}
      />
      {(() => {
        const left = uncuratedLeftOut(state, chosen, curation.data?.counts ?? null);
        return left > 0 ? (
          <p className="hint" role="status">
            {left} document{left === 1 ? " is" : "s are"} left out: curation is not done (tick “Include
            documents whose curation is not done” to export {left === 1 ? "it" : "them"}).
          </p>
        ) : null;
      })()}
      <div className="row export-actions">
        {url ? (
          <a className="button primary" href={url} download>
            Download
          </a>
        ) : (
          <span className="error-text" role="alert">
            {problem}
          </span>
        )}
        <code className="export-url" title="The same export from a script (with an API token)">
          GET {url ?? "…"}
        </code>
      </div>
      <section aria-labelledby="preview-title" className="export-preview-section">
        <h2 id="preview-title">Preview</h2>
        <ExportPreview projectId={projectId} url={url} format={state.format} />
      </section>
      {role !== "annotator" ? <ImportPanel projectId={projectId} layers={importLayers} /> : null}
    </div>
  );
}
