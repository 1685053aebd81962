/**
 * /documents/:documentId — loads the document, its project and the team, picks the layer (shared mode →
 * `shared`, independent → the user's own; curators and managers may pick any layer, others' read-only),
 * then hands over to the workspace.
 */
import { canCurate, type ProjectRole } from "@gloss/shared";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { ApiError } from "../api/client";
import { useApi } from "../api/context";
import { useResource } from "../api/useResource";
import { ErrorMessage } from "../components/ErrorMessage";
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

  if (data.error) {
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
  if (!data.data) return <p className="page muted">Loading the document…</p>;
  return <LoadedDocument {...data.data} requestedLayer={layer ?? null} />;
}

function LoadedDocument({
  document,
  project,
  members,
  requestedLayer,
}: DocumentContext & { requestedLayer: string | null }) {
  const api = useApi();
  const navigate = useNavigate();
  const me = useUser();
  const role: ProjectRole = project.role ?? (me.isAdmin ? "admin" : "annotator");
  const { layer, permission } = chooseLayer(requestedLayer, role, project.mode, me.id);
  const curator = canCurate(role);
  const listed = useResource(
    async (signal) => (curator ? (await api.documents.layers(document.id, { signal })).layers : []),
    [api, document.id, curator],
  );
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
