/**
 * /documents/:documentId/curate (curators, managers): the annotators' spans in lanes under the text, each
 * disagreement marked by kind, J/K (or N/P) to move between them, and accept / edit / reject into gold;
 * auto-merge; the document's curation status. Gold is live: another curator's decisions re-read the view
 * and their presence shows beside the title and at the disagreement they are looking at.
 */
import type { AssignmentStatus, CurationDecisionBody } from "@gloss/shared";
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError } from "../../api/client";
import { useApi } from "../../api/context";
import { invalidate, queryKeys, useDocumentCurationQuery } from "../../api/queries";
import { userColor } from "../../collab/colors";
import { ConnectionBadge } from "../../components/ConnectionBadge";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PresenceList } from "../../components/PresenceList";
import { QueryView } from "../../components/QueryView";
import { usePageTitle } from "../../components/usePageTitle";
import { useUser } from "../../session";
import {
  type AlreadyDecided,
  AlreadyDecidedPrompt,
  alreadyDecided,
  decidedByOther,
  replaceBody,
} from "./AlreadyDecided";
import { AutoMergePanel } from "./AutoMergePanel";
import { DisagreementPanel } from "./DisagreementPanel";
import { acceptBody, decisionText, listDisagreements, stepDisagreement, withExpected } from "./disagreements";
import type { EditSeed } from "./EditForm";
import { Lanes } from "./Lanes";
import { buildLanes, layoutLanes } from "./lanes";
import { RelationsPanel } from "./RelationsPanel";
import { CurationCounts, StatusControl } from "./StatusControl";
import { useCurationKeys } from "./useCurationKeys";
import { CURATING_FIELD, useCuratorsAt, useGoldRoom } from "./useGoldRoom";
import "./curation.css";
import { type DocumentContext, useDocumentContext } from "../useDocumentContext";

const route = getRouteApi("/_auth/documents/$documentId/curate");

/** The curation page. */
export function CurationPage() {
  const { documentId } = route.useParams();
  const data = useDocumentContext(documentId);
  usePageTitle(data.data ? `Curate — ${data.data.document.name}` : "Curate");
  return (
    <QueryView query={data} heading="Curation" loading="Loading the document…">
      {(context) => <CurationWorkspace {...context} />}
    </QueryView>
  );
}

function CurationWorkspace({ document: doc, project, members }: DocumentContext) {
  const me = useUser();
  const api = useApi();
  const cur = api.curation;
  const client = useQueryClient();
  const view = useDocumentCurationQuery(doc.id);
  /** Re-reads the view (the server aligns the layers) and the figures a decision changes. */
  const reload = useCallback(() => {
    void invalidate(
      client,
      queryKeys.documentCuration(doc.id),
      queryKeys.projectCuration(project.id),
      queryKeys.agreement(project.id),
    );
  }, [client, doc.id, project.id]);
  const self = useMemo(
    () => ({ id: me.id, name: me.displayName || me.username, color: userColor(me.id) }),
    [me.id, me.displayName, me.username],
  );
  const { state, others, awareness } = useGoldRoom(doc.id, self, reload);
  const curatorsAt = useCuratorsAt(awareness, me.id);

  const names = useMemo(
    () => new Map(members.map((m) => [m.userId, m.displayName || m.username])),
    [members],
  );
  const labels = useMemo(() => [...project.labels].sort((a, b) => a.order - b.order), [project.labels]);
  const labelMap = useMemo(() => new Map(labels.map((l) => [l.id, l])), [labels]);
  const v = view.data;
  const items = useMemo(() => (v ? listDisagreements(v) : []), [v]);
  const lanes = useMemo(() => (v ? buildLanes(v, names) : []), [v, names]);
  const pieces = useMemo(() => layoutLanes(doc.text, lanes), [doc.text, lanes]);
  const layerNames = useMemo(() => new Map(lanes.map((l) => [l.id, l.name])), [lanes]);

  const [currentKey, setCurrentKey] = useState<string | null>(null);
  const [openOnly, setOpenOnly] = useState(true);
  const [editing, setEditing] = useState<EditSeed | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // a decision another curator made first: what we sent, and the server's "already decided by …"
  const [prompt, setPrompt] = useState<AlreadyDecided | null>(null);
  const current = items.find((i) => i.disagreement.key === currentKey) ?? null;
  const open = items.filter((i) => i.disagreement.resolution === "open").length;

  // others see which disagreement we are on
  useEffect(() => {
    awareness?.setLocalStateField(CURATING_FIELD, currentKey);
  }, [awareness, currentKey]);

  const select = useCallback((key: string | null) => {
    setCurrentKey(key);
    setEditing(null);
    setFailure(null);
    setPrompt(null);
  }, []);
  const go = useCallback(
    (dir: 1 | -1) => {
      const key = stepDisagreement(items, currentKey, dir, openOnly);
      if (key === null) {
        setNotice(openOnly ? "No open disagreement left." : "No disagreement.");
        return;
      }
      select(key);
      const index = items.findIndex((i) => i.disagreement.key === key);
      // after React has marked it current: bring its region into view
      requestAnimationFrame(() =>
        globalThis.document
          .querySelector(`[data-disagreement="${index + 1}"]`)
          ?.scrollIntoView({ block: "center", behavior: "smooth" }),
      );
    },
    [items, currentKey, openOnly, select],
  );

  const run = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T | null> => {
      setBusy(true);
      setFailure(null);
      setNotice(null);
      try {
        return await action();
      } catch (err) {
        setFailure(err);
        // a stale view (409: the annotators' versions changed) is fixed by reading it again
        if (err instanceof ApiError && err.status === 409) reload();
        return null;
      } finally {
        setBusy(false);
      }
    },
    [reload],
  );
  const send = useCallback(
    async (body: CurationDecisionBody) => {
      setPrompt(null);
      const seen: { conflict: AlreadyDecided | null } = { conflict: null };
      const r = await run(async () => {
        try {
          return await cur.decide(doc.id, body);
        } catch (err) {
          seen.conflict = alreadyDecided(err, body);
          throw err;
        }
      });
      if (seen.conflict) {
        setFailure(null); // the prompt says it, with its "Replace"
        setPrompt(seen.conflict);
      }
      if (!r) return;
      setNotice(decisionText(r));
      setEditing(null);
      reload();
    },
    [run, cur, doc.id, reload],
  );
  /** Sends a decision on the current disagreement with its site as we see it (compare-and-set). */
  const decide = useCallback(
    async (body: CurationDecisionBody) => {
      if (!current || !v) return send(body);
      const guarded = withExpected(body, current.site);
      // replacing another curator's decision that we can see: ask first, as the server would
      const ask = decidedByOther(current, v.gold.spans, guarded, me.id, names);
      if (ask) {
        setNotice(null);
        setFailure(null);
        setPrompt(ask);
        return;
      }
      return send(guarded);
    },
    [send, current, v, me.id, names],
  );
  const setStatus = async (status: AssignmentStatus) => {
    const r = await run(() => cur.setStatus(doc.id, status));
    if (r) {
      setNotice(`Curation status: ${status.replace("_", " ")}.`);
      reload();
    }
  };

  useCurationKeys({
    enabled: !busy,
    next: () => go(1),
    previous: () => go(-1),
    accept: (n) => {
      const c = current?.candidates[n];
      if (current && c && v && c.goldSpanIds.length === 0) void decide(acceptBody(current, c, v.gold.spans));
    },
    edit: () => {
      const c = current?.candidates[0];
      if (c) setEditing({ start: c.start, end: c.end, label: c.label });
    },
    reject: () => {
      if (current && current.disagreement.resolution !== "rejected")
        void decide({ action: "reject", key: current.disagreement.key, removeGold: true });
    },
  });

  return (
    <div
      className="workspace curation-workspace"
      data-connection={state}
      data-view-ready={v ? "true" : undefined}
    >
      <div className="workspace-bar">
        <div className="workspace-title">
          <Link to="/projects/$projectId/curation" params={{ projectId: project.id }} className="muted">
            {project.name} · curation
          </Link>
          <h1>{doc.name}</h1>
        </div>
        <ConnectionBadge state={state} />
        <PresenceList users={others} />
        {v ? <StatusControl status={v.status} busy={busy} onChange={setStatus} /> : null}
        <Link to="/documents/$documentId" params={{ documentId: doc.id }} search={{ layer: "gold" }}>
          Open gold in the editor
        </Link>
      </div>
      <p className="hint keys">
        <kbd>J</kbd>/<kbd>N</kbd> next and <kbd>K</kbd>/<kbd>P</kbd> previous disagreement; <kbd>1</kbd>–
        <kbd>9</kbd> accept a version, <kbd>E</kbd> write your own, <kbd>R</kbd> reject.
      </p>
      {v ? <CurationCounts view={v} names={names} /> : null}
      <div className="curation-tools">
        <AutoMergePanel
          view={v}
          busy={busy}
          onMerge={async (threshold) => {
            const r = await run(() => cur.autoMerge(doc.id, threshold ? { threshold } : {}));
            if (r) reload();
            return r;
          }}
        />
        <div className="row nav-buttons">
          <button type="button" onClick={() => go(-1)} aria-keyshortcuts="K P">
            ← Previous
          </button>
          <button type="button" onClick={() => go(1)} aria-keyshortcuts="J N">
            Next →
          </button>
          <label className="inline">
            <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} />
            Open ones only
          </label>
        </div>
      </div>
      {failure ? <ErrorMessage error={failure} title="The decision was not saved" /> : null}
      {prompt ? (
        <AlreadyDecidedPrompt
          prompt={prompt}
          busy={busy}
          onReplace={() => void send(replaceBody(prompt))}
          onKeep={() => setPrompt(null)}
        />
      ) : null}
      <p className="notice" role="status">
        {notice ?? ""}
      </p>
      {view.error && !v ? <ErrorMessage error={view.error} title="Could not load the curation view" /> : null}
      {v ? (
        <div className="curation-main">
          <section className="lanes-pane" aria-label="Annotations aligned with the text">
            <Lanes
              text={doc.text}
              lanes={lanes}
              pieces={pieces}
              labels={labelMap}
              items={items}
              current={current}
              curatorsAt={curatorsAt}
              onSelect={select}
            />
          </section>
          <aside className="sidebar curation-side" aria-label="Current disagreement">
            <DisagreementPanel
              item={current}
              total={items.length}
              open={open}
              view={v}
              text={doc.text}
              labels={labels}
              names={names}
              layerNames={layerNames}
              busy={busy}
              editing={editing}
              onEdit={setEditing}
              onDecide={(b) => void decide(b)}
            />
            <RelationsPanel view={v} names={names} busy={busy} onDecide={(b) => void decide(b)} />
          </aside>
        </div>
      ) : view.isPending ? (
        <p className="muted">Aligning the layers…</p>
      ) : null}
    </div>
  );
}
