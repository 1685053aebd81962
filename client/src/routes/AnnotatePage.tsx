/**
 * /documents/:documentId — loads the document, its project and the team, picks the layer (shared mode →
 * `shared`, independent → the user's own; curators and managers may pick any layer, others' read-only),
 * then hands over to the workspace.
 */
import { canCurate, type ProjectRole } from "@gloss/shared";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { ApiError } from "../api/client";
import { useLayersQuery } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { QueryView } from "../components/QueryView";
import { usePageTitle } from "../components/usePageTitle";
import { useUser } from "../session";
import { chooseLayer, layerOptions } from "./annotate/layers";
import { Workspace } from "./annotate/Workspace";
import { type DocumentContext, useDocumentContext } from "./useDocumentContext";

const route = getRouteApi("/_auth/documents/$documentId");

/** The annotation page. */
export function AnnotatePage() {
  const { documentId } = route.useParams();
  const { layer } = route.useSearch();
  const data = useDocumentContext(documentId);
  usePageTitle(data.data?.document.name ?? "Document");

  // the page's own error, with "Sign in again" when the session is gone (QueryView shows the rest)
  if (data.error && !data.data) {
    const signedOut = data.error instanceof ApiError && data.error.status === 401;
    return (
      <div className="page">
        <h1>Document</h1>
        <ErrorMessage error={data.error} />
        {signedOut ? (
          <Link to="/signin" search={{ next: `/documents/${documentId}` }}>
            Sign in again
          </Link>
        ) : null}
      </div>
    );
  }
  return (
    <QueryView query={data} heading="Document" loading="Loading the document…">
      {(context) => <LoadedDocument {...context} requestedLayer={layer ?? null} />}
    </QueryView>
  );
}

function LoadedDocument({
  document,
  project,
  members,
  requestedLayer,
}: DocumentContext & { requestedLayer: string | null }) {
  const navigate = useNavigate();
  const me = useUser();
  const role: ProjectRole = project.role ?? (me.isAdmin ? "admin" : "annotator");
  // The layer is chosen when the page opens (or `?layer=` changes), not again when a re-read brings a new
  // role or mode: a curator demoted meanwhile stays on the layer they opened and is told "no access" by
  // the server (close code 4403) instead of being switched silently to another layer.
  const [opened, setOpened] = useState(() => ({
    requestedLayer,
    choice: chooseLayer(requestedLayer, role, project.mode, me.id),
  }));
  if (opened.requestedLayer !== requestedLayer) {
    setOpened({ requestedLayer, choice: chooseLayer(requestedLayer, role, project.mode, me.id) });
  }
  const { layer, permission } = opened.choice;
  const curator = canCurate(role);
  const listed = useLayersQuery(document.id, curator);
  const names = new Map(members.map((m) => [m.userId, m.displayName || m.username]));
  // the layers the server lists, and those of the assigned annotators even before they wrote anything
  const known = [
    layer,
    ...(listed.data ?? []),
    ...(project.mode === "independent"
      ? document.assignments.map((a) => ({ layer: `user-${a.userId}`, username: a.username }))
      : []),
  ];
  const options = curator
    ? layerOptions({ listed: known, role, mode: project.mode, userId: me.id, names })
    : [];

  return (
    <Workspace
      // a new workspace (new Y.Doc, new provider) per layer
      key={layer}
      document={document}
      project={project}
      members={members}
      role={role}
      layer={layer}
      readOnly={permission !== "write"}
      layerOptions={options}
      onPickLayer={(next) =>
        navigate({
          to: "/documents/$documentId",
          params: { documentId: document.id },
          search: { layer: next },
        })
      }
    />
  );
}
