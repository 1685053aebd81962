/**
 * The annotation workspace: the editor on one live layer, the span sidebar and guidelines, presence, the
 * connection state, "Mark as done" and "Next document".
 */
import {
  canCurate,
  type DocumentDto,
  type LayerName,
  type MemberDto,
  type ProjectDto,
  type ProjectRole,
} from "@gloss/shared";
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useRef, useState } from "react";
import { useSetLayerStatus } from "../../api/mutations";
import { invalidate, queryKeys } from "../../api/queries";
import { userColor } from "../../collab/colors";
import { CONNECTION_TEXT } from "../../collab/connectionState";
import { useLayerConnection } from "../../collab/useLayerConnection";
import { useLayerState, usePresence, useRelations, useSpans } from "../../collab/useLayerData";
import { useOnReconnect } from "../../collab/useOnReconnect";
import { ConnectionBadge } from "../../components/ConnectionBadge";
import { GuidelinesPanel } from "../../components/GuidelinesPanel";
import { MutationError } from "../../components/MutationStatus";
import { PresenceList } from "../../components/PresenceList";
import { SpanSidebar } from "../../components/SpanSidebar";
import { AnnotationEditor, type EditorHandle, type EditorUser } from "../../editor";
import { useUser } from "../../session";
import type { LayerOption } from "./layers";
import { NextDocumentButton } from "./NextDocumentButton";
import { SuggestionPanel } from "./SuggestionPanel";
import { useSuggestions } from "./useSuggestions";

export interface WorkspaceProps {
  document: DocumentDto;
  project: ProjectDto;
  members: MemberDto[];
  role: ProjectRole;
  layer: LayerName;
  readOnly: boolean;
  layerOptions: LayerOption[];
  onPickLayer(layer: LayerName): void;
}

/** The workspace for one (document, layer). */
export function Workspace(props: WorkspaceProps) {
  const { document: doc, project, members, role, layer, readOnly } = props;
  const me = useUser();
  const myName = me.displayName || me.username;
  const self = useMemo<EditorUser>(
    () => ({ id: me.id, name: myName, color: userColor(me.id) }),
    [me.id, myName],
  );
  const { connection, state } = useLayerConnection({
    documentId: doc.id,
    layer,
    user: self,
    persist: !readOnly,
  });
  const ydoc = connection?.doc ?? null;
  const spans = useSpans(ydoc);
  const relations = useRelations(ydoc);
  const layerState = useLayerState(ydoc);
  const client = useQueryClient();
  /** What this page read over HTTP that others' work (or ours, offline) may have changed. */
  const refresh = () =>
    void invalidate(client, queryKeys.documentScope(doc.id), queryKeys.projectScope(project.id));
  useOnReconnect(state, refresh);
  // done or reopened through the API, never the socket (the layer's state is the server's to decide)
  const layerStatus = useSetLayerStatus(doc.id, project.id);
  const others = usePresence(connection?.awareness ?? null, me.id);

  const editorRef = useRef<EditorHandle>(null);
  const [filter, setFilter] = useState<ReadonlySet<number> | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [tab, setTab] = useState<"spans" | "guidelines">("spans");

  const labels = useMemo(() => [...project.labels].sort((a, b) => a.order - b.order), [project.labels]);
  // Authors' names and colours for the editor: the members, plus anyone present who is not a member (an
  // admin). Keyed by those extra people only, so a presence change does not redraw every span.
  const extras = others.filter((u) => !members.some((m) => m.userId === u.id));
  const extrasKey = extras.map((u) => `${u.id}\u0000${u.name}`).join("\u0001");
  // biome-ignore lint/correctness/useExhaustiveDependencies: `extras` is captured through `extrasKey`
  const users = useMemo(() => {
    const m = new Map<number, EditorUser>();
    for (const x of members)
      m.set(x.userId, { id: x.userId, name: x.displayName || x.username, color: userColor(x.userId) });
    for (const u of extras) m.set(u.id, { ...u, color: userColor(u.id) });
    m.set(self.id, self);
    return m;
  }, [members, extrasKey, self]);

  // every author visible wherever several people write or are read together
  const showAuthors = project.mode === "shared" || layer === "shared" || layer === "gold";
  const showPresence = project.mode === "shared" || canCurate(role);
  const done = layerState?.status === "done";
  const terminal =
    state === "signed-out" || state === "forbidden" || state === "not-found" || state === "refused";
  // Signed out (4401): work goes on into IndexedDB and syncs after signing in again. No access (4403) or
  // no such layer (4404): nothing written here could ever be accepted, so the editor turns read-only.
  // Refused (4422): the server will never take this device's copy; it reloads from the server's.
  const mayWrite = !readOnly && state !== "forbidden" && state !== "not-found" && state !== "refused";
  // A layer marked done is read-only (the server enforces it) until it is reopened.
  const editable = mayWrite && !done;
  // Suggestions are for the caller's own layer only (issue 14): their user layer, or the shared one.
  const ownLayer = layer === `user-${me.id}` || (project.mode === "shared" && layer === "shared");
  const suggestions = useSuggestions(doc.id, project.id, ownLayer && !readOnly, spans);
  const [suggestionKey, setSuggestionKey] = useState<string | null>(null);
  const selectSuggestion = (key: string) => {
    editorRef.current?.selectSuggestion(key);
    editorRef.current?.focus();
  };

  // One keyboard model (issue 13, item 6): a span picked in the sidebar is selected in the text and the focus
  // goes back to the text, so Delete, the boundary keys and the label keys act on it at once.
  const selectFromSidebar = (id: string) => {
    setSelectedId(id);
    editorRef.current?.scrollToSpan(id);
    editorRef.current?.selectSpan(id);
    editorRef.current?.focus();
  };

  return (
    <div className="workspace" data-editor-ready={ready ? "true" : undefined} data-connection={state}>
      <button type="button" className="skip-link" onClick={() => editorRef.current?.focus()}>
        Skip to the text
      </button>
      <div className="workspace-bar">
        <div className="workspace-title">
          <Link to="/projects/$projectId" params={{ projectId: project.id }} className="muted">
            {project.name}
          </Link>
          <h1>{doc.name}</h1>
        </div>
        {props.layerOptions.length > 1 ? (
          <label className="layer-picker">
            Layer
            <select value={layer} onChange={(e) => props.onPickLayer(e.target.value as LayerName)}>
              {props.layerOptions.map((o) => (
                <option key={o.layer} value={o.layer}>
                  {o.label}
                  {o.permission === "read" ? " (read-only)" : ""}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <ConnectionBadge state={state} />
        {showPresence ? <PresenceList users={others} /> : null}
        <div className="row">
          {mayWrite && ydoc ? (
            <button
              type="button"
              aria-pressed={done}
              disabled={layerStatus.isPending}
              onClick={() => layerStatus.mutate({ layer, status: done ? "in_progress" : "done" })}
            >
              {done ? "✓ Done — reopen" : "Mark as done"}
            </button>
          ) : done ? (
            <span className="chip status-done">● done</span>
          ) : null}
          <MutationError mutation={layerStatus} />
          <NextDocumentButton
            projectId={project.id}
            currentId={doc.id}
            primary={done}
            oversees={canCurate(role)}
          />
        </div>
      </div>
      {terminal ? (
        <div className="banner" role="alert">
          {CONNECTION_TEXT[state].detail}
          {state === "signed-out" ? (
            <>
              {" "}
              What you do meanwhile is kept on this device.{" "}
              <Link to="/signin" search={{ next: `/documents/${doc.id}` }}>
                Sign in again
              </Link>
            </>
          ) : null}
        </div>
      ) : null}
      {readOnly && !terminal ? <p className="banner info">You are viewing this layer read-only.</p> : null}
      <div className="workspace-main">
        <section className="editor-pane" aria-label="Document text">
          {connection ? (
            <AnnotationEditor
              key={connection.room}
              ref={editorRef}
              text={doc.text}
              doc={connection.doc}
              labels={labels}
              relationTypes={project.relationTypes}
              snapping={project.snapping}
              userId={me.id}
              readOnly={!editable}
              showAuthors={showAuthors}
              users={users}
              awareness={connection.awareness}
              labelFilter={filter}
              onSelectSpan={setSelectedId}
              suggestions={editable ? suggestions.shown : undefined}
              onSuggestion={(action, s) => suggestions.settle(s, action)}
              onSelectSuggestion={setSuggestionKey}
              onReady={() => setReady(true)}
            />
          ) : (
            <p className="muted">Opening…</p>
          )}
        </section>
        <aside className="sidebar" aria-label="Spans and guidelines">
          <fieldset className="tabs">
            <legend className="visually-hidden">Sidebar view</legend>
            <button type="button" aria-pressed={tab === "spans"} onClick={() => setTab("spans")}>
              Spans ({spans.length})
            </button>
            <button type="button" aria-pressed={tab === "guidelines"} onClick={() => setTab("guidelines")}>
              Guidelines
            </button>
          </fieldset>
          <div className="sidebar-body">
            {tab === "spans" ? (
              <SpanSidebar
                text={doc.text}
                spans={spans}
                relations={relations}
                labels={labels}
                filter={filter}
                onFilterChange={setFilter}
                selectedId={selectedId}
                onSelect={selectFromSidebar}
                showAuthors={showAuthors}
                users={users}
                editable={editable}
                recommenderNames={suggestions.names}
              />
            ) : (
              <GuidelinesPanel labels={labels} />
            )}
            {tab === "spans" && ownLayer && !readOnly ? (
              <SuggestionPanel
                text={doc.text}
                labels={labels}
                suggestions={suggestions}
                selectedKey={suggestionKey}
                onSelect={selectSuggestion}
                editable={editable}
              />
            ) : null}
          </div>
        </aside>
      </div>
    </div>
  );
}
