/**
 * "Already decided by Cora at 14:02 — replace?": a decision the server refused because gold over its
 * site changed since we read it (409 `already_decided`, docs/curation.md). "Replace" sends the same
 * decision again as an explicit override, against the site's version now; "Keep theirs" drops it.
 */
import type { AlreadyDecidedDetails, CurationDecisionBody, CurationSpanDto } from "@gloss/shared";
import { ApiError } from "../../api/client";
import styles from "./CurationPage.module.css";
import type { DisagreementItem } from "./disagreements";

export interface AlreadyDecided {
  /** What we sent. */
  body: CurationDecisionBody;
  details: AlreadyDecidedDetails;
}

/** True when `err` is the server's refusal of a decision gold no longer matches (409 `already_decided`). */
export const isAlreadyDecided = (err: unknown): err is ApiError =>
  err instanceof ApiError && err.status === 409 && err.code === "already_decided";

/** The refusal in `err`, if it is one. */
export function alreadyDecided(err: unknown, body: CurationDecisionBody): AlreadyDecided | null {
  if (!isAlreadyDecided(err)) return null;
  const d = (err.details ?? {}) as Partial<AlreadyDecidedDetails>;
  return {
    body,
    details: {
      by: typeof d.by === "string" ? d.by : "someone",
      byId: typeof d.byId === "number" ? d.byId : null,
      at: typeof d.at === "number" ? d.at : null,
      current: typeof d.current === "string" ? d.current : "",
      goldSpanIds: Array.isArray(d.goldSpanIds) ? d.goldSpanIds : [],
    },
  };
}

/**
 * The same question before sending, when the view already shows it: a decision that would replace
 * (accept, edit) or remove (reject) gold versions of this disagreement another curator decided asks
 * first. Null when gold holds nothing of it, or only our own or auto-merged versions.
 */
export function decidedByOther(
  item: DisagreementItem,
  goldSpans: readonly CurationSpanDto[],
  body: CurationDecisionBody,
  selfId: number,
  names: ReadonlyMap<number, string>,
): AlreadyDecided | null {
  if (body.action !== "accept" && body.action !== "edit" && body.action !== "reject") return null;
  let newest: CurationSpanDto | null = null;
  for (const id of item.disagreement.goldSpanIds) {
    const g = goldSpans.find((s) => s.id === id);
    const p = g?.provenance;
    if (!g || !p || p.decidedBy === null || p.decidedBy === selfId) continue;
    if (!newest || p.decidedAt > (newest.provenance?.decidedAt ?? 0)) newest = g;
  }
  const p = newest?.provenance;
  if (!newest || !p || p.decidedBy === null) return null;
  return {
    body,
    details: {
      by: names.get(p.decidedBy) ?? `user ${p.decidedBy}`,
      byId: p.decidedBy,
      at: p.decidedAt,
      current: item.site.version,
      goldSpanIds: item.disagreement.goldSpanIds,
    },
  };
}

/** The same decision as an override of what gold holds now. */
export function replaceBody({ body, details }: AlreadyDecided): CurationDecisionBody {
  if (!("expected" in body)) return body; // relation decisions carry no site
  return {
    ...body,
    replace: true,
    ...(body.expected ? { expected: { ...body.expected, version: details.current } } : {}),
  };
}

/** The sentence the prompt shows. */
export function alreadyDecidedText(d: AlreadyDecidedDetails): string {
  const when = d.at === null ? "" : ` at ${new Date(d.at).toLocaleTimeString()}`;
  return `Already decided by ${d.by}${when} — replace?`;
}

/** The prompt. */
export function AlreadyDecidedPrompt(props: {
  prompt: AlreadyDecided;
  busy: boolean;
  onReplace(): void;
  onKeep(): void;
}) {
  return (
    <div className={styles.alreadyDecided} role="alert" data-already-decided="">
      <p>{alreadyDecidedText(props.prompt.details)}</p>
      <p className="hint">The view now shows their decision. Replace it with yours, or keep theirs.</p>
      <div className="row">
        <button type="button" className="primary" disabled={props.busy} onClick={props.onReplace}>
          Replace
        </button>
        <button type="button" disabled={props.busy} onClick={props.onKeep}>
          Keep theirs
        </button>
      </div>
    </div>
  );
}
