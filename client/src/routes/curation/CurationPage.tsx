/**
 * /documents/:documentId/curate (curators, managers): the annotators' spans in lanes under the text, each
 * disagreement marked by kind, J/K (or N/P) to move between them, and accept / edit / reject into gold;
 * auto-merge; the document's curation status. Keys 1–9 accept the version of that lane (1 = the first
 * lane, numbered beside its name), optionally stepping on to the next open disagreement; selecting text in
 * the lanes writes the curator's own version. Gold is live: another curator's decisions re-read the view
 * and their presence shows beside the title and at the disagreement they are looking at; so are the
 * annotators' layers: a change to one (a reopened layer edited, say) re-reads the view too.
 */
import type { AssignmentStatus, CurationDecisionBody } from "@gloss/shared";
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { invalidateGold, useAutoMerge, useCurationDecision, useSetCurationStatus } from "../../api/mutations";
import { useDocumentCurationQuery } from "../../api/queries";
import { userColor } from "../../collab/colors";
import { ConnectionBadge } from "../../components/ConnectionBadge";
import { ErrorMessage } from "../../components/ErrorMessage";
import { latestMutation, MutationError } from "../../components/MutationStatus";
import { PresenceList } from "../../components/PresenceList";
import { QueryView } from "../../components/QueryView";
import { usePageTitle } from "../../components/usePageTitle";
import type { TextRange } from "../../editor/snapping";
import { useUser } from "../../session";
import { type DocumentContext, useDocumentContext } from "../useDocumentContext";
import {
  type AlreadyDecided,
  AlreadyDecidedPrompt,
  alreadyDecided,
  decidedByOther,
  isAlreadyDecided,
  replaceBody,
} from "./AlreadyDecided";
import { AutoMergePanel } from "./AutoMergePanel";
import styles from "./CurationPage.module.css";
import { DisagreementPanel } from "./DisagreementPanel";
import {
  acceptBody,
  decisionText,
  listDisagreements,
  stepDisagreement,
  versionsOf,
  withExpected,
} from "./disagreements";
import type { EditSeed } from "./EditForm";
import { Lanes, laneKey } from "./Lanes";
import { buildLanes, layoutLanes } from "./lanes";
import { RelationsPanel } from "./RelationsPanel";
import { CurationCounts, StatusControl } from "./StatusControl";
import { useAutoAdvance } from "./useAutoAdvance";
import { useCurationKeys } from "./useCurationKeys";
import { CURATING_FIELD, useCuratorsAt, useGoldRoom } from "./useGoldRoom";
import { useLayerWatch } from "./useLayerWatch";

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
  const client = useQueryClient();
  const view = useDocumentCurationQuery(doc.id);
  /** Someone decided something: re-reads the view (the server aligns the layers) and what gold feeds. */
  const reload = useCallback(() => invalidateGold(client, doc.id, project.id), [client, doc.id, project.id]);
  const self = useMemo(
    () => ({ id: me.id, name: me.displayName || me.username, color: userColor(me.id) }),
    [me.id, me.displayName, me.username],
  );
  const { state, others, awareness } = useGoldRoom(doc.id, self, reload);
  const curatorsAt = useCuratorsAt(awareness, me.id);
  // the annotators' layers, watched read-only: a change to one re-reads the view (issue 13)
  const watched = useMemo(() => view.data?.annotators.map((a) => a.layer) ?? [], [view.data?.annotators]);
  useLayerWatch(doc.id, watched, reload);

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
  const laneKeys = useMemo(() => {
    const keys = new Map<string, string>();
    lanes.forEach((l, i) => {
      const k = laneKey(l, i);
      if (k) keys.set(l.id, k);
    });
    return keys;
  }, [lanes]);
  const [autoAdvance, setAutoAdvance] = useAutoAdvance();

  const [currentKey, setCurrentKey] = useState<string | null>(null);
  const [openOnly, setOpenOnly] = useState(true);
  const [editing, setEditing] = useState<EditSeed | null>(null);
  const decision = useCurationDecision(doc.id, project.id);
  const merge = useAutoMerge(doc.id, project.id);
  const status = useSetCurationStatus(doc.id, project.id);
  const outcome = latestMutation(decision, merge, status);
  const busy = decision.isPending || merge.isPending || status.isPending;
  // what the last write did, in words (auto-merge says it in its own panel)
  const done =
    outcome.status !== "success"
      ? null
      : outcome === decision && decision.data
        ? decisionText(decision.data)
        : outcome === status && status.variables
          ? `Curation status: ${status.variables.replace("_", " ")}.`
          : null;
  // where J/K found nothing more; a new write replaces it with its own outcome
  const [notice, setNotice] = useState<string | null>(null);
  // asked before sending: a decision would replace one another curator made (as the server would refuse)
  const [ask, setAsk] = useState<AlreadyDecided | null>(null);
  // ... or the server refused it (409 `already_decided`): what we sent, and who decided first
  const refused = decision.variables ? alreadyDecided(decision.error, decision.variables) : null;
  // failures of the writes sent before this time are put away (another disagreement, "Keep theirs")
  const [dismissed, setDismissed] = useState(0);
  const prompt = ask ?? (decision.submittedAt > dismissed ? refused : null);
  const current = items.find((i) => i.disagreement.key === currentKey) ?? null;
  const open = items.filter((i) => i.disagreement.resolution === "open").length;

  // others see which disagreement we are on
  useEffect(() => {
    awareness?.setLocalStateField(CURATING_FIELD, currentKey);
  }, [awareness, currentKey]);

  /** Puts away the failures (and the refusal) of the writes sent so far; what succeeded still says so. */
  const dismissFailures = useCallback(() => setDismissed(Date.now()), []);
  // stable: the lanes (memoised) take it
  const select = useCallback(
    (key: string | null) => {
      setCurrentKey(key);
      setEditing(null);
      setAsk(null);
      dismissFailures();
    },
    [dismissFailures],
  );
  // text selected in the lanes: "your version" over it, with the label chosen so far (stable: the lanes take it)
  const fallbackLabel = useRef<number | undefined>(undefined);
  fallbackLabel.current = current?.candidates[0]?.label ?? labels[0]?.id;
  const selectText = useCallback((r: TextRange) => {
    setAsk(null);
    setEditing((prev) => {
      const label = prev?.label ?? fallbackLabel.current;
      return label === undefined ? prev : { start: r.start, end: r.end, label };
    });
  }, []);
  /** Makes `key` current and brings its region into view. */
  const show = (key: string) => {
    select(key);
    const index = items.findIndex((i) => i.disagreement.key === key);
    // after React has marked it current: bring its region into view
    requestAnimationFrame(() =>
      globalThis.document
        .querySelector(`[data-disagreement="${index + 1}"]`)
        ?.scrollIntoView({ block: "center", behavior: "smooth" }),
    );
  };
  const go = (dir: 1 | -1) => {
    const key = stepDisagreement(items, currentKey, dir, openOnly);
    if (key === null) {
      setNotice(openOnly ? "No open disagreement left." : "No disagreement.");
      return;
    }
    show(key);
  };
  /** After accepting `from`: the next open disagreement, if another is left (the decision's message stays). */
  const advanceFrom = (from: string) => {
    const key = stepDisagreement(items, from, 1, true);
    if (key !== null && key !== from) show(key);
  };

  const send = (body: CurationDecisionBody) => {
    setNotice(null);
    setAsk(null);
    // auto-advance: an accepted version moves on to the next open disagreement (from the one decided)
    const from = currentKey;
    const advance = autoAdvance && body.action === "accept" && from ? () => advanceFrom(from) : null;
    decision.mutate(body, {
      onSuccess: () => {
        setEditing(null);
        advance?.();
      },
    });
  };
  /** Sends a decision on the current disagreement with its site as we see it (compare-and-set). */
  const decide = (body: CurationDecisionBody) => {
    if (!current || !v) return send(body);
    const guarded = withExpected(body, current.site);
    // replacing another curator's decision that we can see: ask first, as the server would
    const question = decidedByOther(current, v.gold.spans, guarded, me.id, names);
    if (!question) return send(guarded);
    setNotice(null);
    dismissFailures();
    setAsk(question);
  };
  const setStatus = (next: AssignmentStatus) => {
    setNotice(null);
    status.mutate(next);
  };

  useCurationKeys({
    enabled: !busy,
    next: () => go(1),
    previous: () => go(-1),
    // n is a lane (1 = the first lane), never a position in the panel's list of versions
    accept: (n) => {
      const lane = lanes[n];
      if (!current || !v || !lane || !laneKeys.has(lane.id)) return;
      const c = versionsOf(current, lane.id)[0];
      if (!c) setNotice(`${lane.name} has no version of disagreement ${current.index + 1}.`);
      else if (c.goldSpanIds.length > 0) setNotice(`${lane.name}'s version is already in gold.`);
      else decide(acceptBody(current, c, v.gold.spans, lane.id));
    },
    edit: () => {
      const c = current?.candidates[0];
      if (c) setEditing({ start: c.start, end: c.end, label: c.label });
    },
    reject: () => {
      if (current && current.disagreement.resolution !== "rejected")
        decide({ action: "reject", key: current.disagreement.key, removeGold: true });
    },
  });

  return (
    <div
      // curation-workspace: a name for tests and readers only (no global rule styles it)
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
      <p className="hint">
        <kbd>J</kbd>/<kbd>N</kbd> next and <kbd>K</kbd>/<kbd>P</kbd> previous disagreement; <kbd>1</kbd>–
        <kbd>9</kbd> accept that lane's version (its number is beside the name), <kbd>E</kbd> or select text
        in the lanes to write your own (snapped to words; hold <kbd>Alt</kbd> for exact characters),{" "}
        <kbd>R</kbd> reject.
      </p>
      {v ? <CurationCounts view={v} names={names} /> : null}
      <div className={styles.tools}>
        <AutoMergePanel
          view={v}
          busy={busy}
          onMerge={(threshold) => {
            setNotice(null);
            // the result shows in the panel; a failure where every write's does (below)
            return merge.mutateAsync(threshold).catch(() => null);
          }}
        />
        <div className={`row ${styles.navButtons}`}>
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
          <label className="inline">
            <input type="checkbox" checked={autoAdvance} onChange={(e) => setAutoAdvance(e.target.checked)} />
            Next disagreement after accepting
          </label>
        </div>
      </div>
      {outcome.submittedAt > dismissed ? (
        <MutationError
          mutation={outcome}
          title="The decision was not saved"
          // the prompt says it, with its "Replace"
          ignoreError={isAlreadyDecided}
        />
      ) : null}
      {prompt ? (
        <AlreadyDecidedPrompt
          prompt={prompt}
          busy={busy}
          onReplace={() => send(replaceBody(prompt))}
          onKeep={() => {
            setAsk(null);
            dismissFailures();
          }}
        />
      ) : null}
      <p className={styles.notice} role="status" data-notice="">
        {notice ?? done ?? ""}
      </p>
      {view.error && !v ? <ErrorMessage error={view.error} title="Could not load the curation view" /> : null}
      {v ? (
        <div className={styles.main}>
          <section className={styles.lanesPane} aria-label="Annotations aligned with the text">
            <Lanes
              text={doc.text}
              lanes={lanes}
              pieces={pieces}
              labels={labelMap}
              items={items}
              current={current}
              curatorsAt={curatorsAt}
              onSelect={select}
              onSelectText={selectText}
            />
          </section>
          <aside className={`sidebar ${styles.side}`} aria-label="Current disagreement">
            <DisagreementPanel
              item={current}
              total={items.length}
              open={open}
              view={v}
              text={doc.text}
              labels={labels}
              names={names}
              layerNames={layerNames}
              laneKeys={laneKeys}
              busy={busy}
              editing={editing}
              onEdit={setEditing}
              onDecide={decide}
            />
            <RelationsPanel view={v} names={names} busy={busy} onDecide={decide} />
          </aside>
        </div>
      ) : view.isPending ? (
        <p className="muted">Aligning the layers…</p>
      ) : null}
    </div>
  );
}
