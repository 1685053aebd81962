/**
 * The docked inspector below the text: the selected span (label, author, quote), its note, its links with a
 * remove button each, and the link/delete actions; while a link is drawn, the instructions and the relation
 * type choice. Enter on a selected span focuses the note; Escape in here returns to the text.
 */
import { listRelations } from "@gloss/shared";
import { useEffect, useRef, useState } from "react";
import { type EditorActions, snippet } from "./actions";
import type { EditorSession } from "./session";
import type { EditorUiState } from "./store";

interface Props {
  open: { session: EditorSession; actions: EditorActions };
  ui: EditorUiState;
  readOnly: boolean;
}

export function Inspector({ open, ui, readOnly }: Props) {
  const { session, actions } = open;
  const span = session.span(ui.selectedId);
  const source = session.span(ui.relationSourceId);
  const types = session.props().relationTypes;
  const backToText = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      session.view.focus();
    }
  };

  if (source) {
    return (
      <section className="gl-inspector gl-linking" aria-label="Link" onKeyDown={backToText}>
        <span>
          Linking from <strong>{session.look(source.label).name}</strong> “
          {snippet(session.text, source.start, source.end)}”.{" "}
          {ui.relationTargetId
            ? "Choose the relation type:"
            : "Click the target span, or Tab to it and press Enter."}
        </span>
        {ui.relationTargetId &&
          types.map((t, i) => (
            <button
              key={t}
              type="button"
              onClick={() => actions.chooseRelationType(i)}
              aria-label={t}
              aria-keyshortcuts={`${i + 1}`}
            >
              <kbd>{i + 1}</kbd> {t}
            </button>
          ))}
        <button type="button" onClick={() => actions.cancelRelation()} aria-keyshortcuts="Escape">
          Cancel
        </button>
      </section>
    );
  }

  if (!span) {
    return (
      <section className="gl-inspector gl-hint" aria-label="Selected span">
        {readOnly
          ? "Read only. Tab through the spans, or point at one to see its details."
          : "Select text and press a label key (or click a label). Tab moves through the spans. Press ? for all shortcuts."}
      </section>
    );
  }

  const look = session.look(span.label);
  const users = session.props().users;
  const author = span.author !== null ? (users?.get(span.author)?.name ?? `user ${span.author}`) : "imported";
  const links = listRelations(session.doc).filter((r) => r.from === span.id || r.to === span.id);
  return (
    <section className="gl-inspector" aria-label="Selected span" onKeyDown={backToText}>
      <div className="gl-insp-head">
        <span
          className={`gl-swatch gl-pat-${look.pattern}`}
          style={{ "--gl-c": look.color } as React.CSSProperties}
          aria-hidden="true"
        >
          {look.initial}
        </span>
        <strong>{look.name}</strong>
        <span className="gl-quote">“{snippet(session.text, span.start, span.end, 80)}”</span>
        <span className="gl-muted">by {author}</span>
        <span className="gl-spacer" />
        {!readOnly && (
          <>
            <button
              type="button"
              onClick={() => actions.startRelation()}
              disabled={types.length === 0}
              aria-label="Link to another span"
              aria-keyshortcuts="Shift+R"
            >
              Link… <kbd>R</kbd>
            </button>
            <button
              type="button"
              onClick={() => actions.deleteSelected()}
              aria-label="Delete span"
              aria-keyshortcuts="Delete"
            >
              Delete <kbd>Del</kbd>
            </button>
          </>
        )}
      </div>
      <NoteField
        key={span.id}
        session={session}
        actions={actions}
        spanId={span.id}
        note={span.note ?? ""}
        request={ui.noteRequest}
        readOnly={readOnly}
      />
      {links.length > 0 && (
        <ul className="gl-links" aria-label="Links">
          {links.map((r) => {
            const other = session.span(r.from === span.id ? r.to : r.from);
            if (!other) return null;
            const otherText = `${session.look(other.label).name} “${snippet(session.text, other.start, other.end, 40)}”`;
            const phrase = r.from === span.id ? `${r.type} → ${otherText}` : `${otherText} ${r.type} → this`;
            return (
              <li key={r.id}>
                <span>{phrase}</span>
                {!readOnly && (
                  <button
                    type="button"
                    className="gl-icon-btn"
                    aria-label={`Remove link: ${phrase}`}
                    onClick={() => actions.removeRelation(r.id)}
                  >
                    ×
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function NoteField(props: {
  session: EditorSession;
  actions: EditorActions;
  spanId: string;
  note: string;
  request: number;
  readOnly: boolean;
}) {
  const { session, actions, spanId, note, request, readOnly } = props;
  const [draft, setDraft] = useState(note);
  const ref = useRef<HTMLTextAreaElement>(null);
  const firstRequest = useRef(request);
  const cancelled = useRef(false);
  useEffect(() => setDraft(note), [note]);
  useEffect(() => {
    if (request !== firstRequest.current) ref.current?.focus();
  }, [request]);
  if (readOnly) return note ? <p className="gl-note">{note}</p> : null;
  const save = () => {
    if (cancelled.current) cancelled.current = false;
    else if (draft.trim() !== note.trim()) actions.setNote(spanId, draft);
  };
  return (
    <label className="gl-note-field">
      <span>Note</span>
      <textarea
        ref={ref}
        rows={1}
        value={draft}
        placeholder="Add a note (Enter saves)"
        onChange={(e) => setDraft(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            save();
            session.view.focus();
          } else if (e.key === "Escape") {
            // The section's handler then returns focus to the text; the blur must not save the draft.
            cancelled.current = true;
            setDraft(note);
          }
        }}
      />
    </label>
  );
}
