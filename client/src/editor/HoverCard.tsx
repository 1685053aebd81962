/**
 * The hover card: every span under the pointer (stacked ones included), each with its label, author, note
 * and links. It only informs (the pointer passes through it); clicking the text selects a span.
 */
import { listRelations } from "@gloss/shared";
import { snippet } from "./actions";
import { spanIdsAt } from "./input";
import type { EditorSession } from "./session";
import type { EditorUiState } from "./store";

export interface HoverState {
  key: string;
  ids: string[];
  left: number;
  top: number;
}

/** The hover state for a pointer over `target` at `clientX`, positioned inside `page`; null off the spans. */
export function hoverFromEvent(
  target: EventTarget | null,
  clientX: number,
  page: HTMLElement | null,
): HoverState | null {
  if (!page) return null;
  const ids = spanIdsAt(target);
  if (ids.length === 0 || !(target instanceof Element)) return null;
  const box = page.getBoundingClientRect();
  const line = target.getBoundingClientRect();
  const left = Math.max(0, Math.min(clientX - box.left - 24, box.width - 320));
  return { key: ids.join(" "), ids, left, top: line.bottom - box.top + 12 };
}

export function HoverCard({
  session,
  hover,
  ui,
}: {
  session: EditorSession;
  hover: HoverState;
  ui: EditorUiState;
}) {
  void ui.spansVersion; // re-render when spans change under the card
  const spans = hover.ids.map((id) => session.span(id)).filter((s) => s !== null);
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  if (spans.length === 0) return null;
  const relations = listRelations(session.doc);
  const users = session.props().users;
  return (
    <div className="gl-card" style={{ left: hover.left, top: hover.top }} aria-hidden="true">
      {spans.map((s) => {
        const look = session.look(s.label);
        const author = s.author !== null ? (users?.get(s.author)?.name ?? `user ${s.author}`) : "imported";
        const links = relations.filter((r) => r.from === s.id || r.to === s.id);
        return (
          <div key={s.id} className="gl-card-row">
            <span
              className={`gl-swatch gl-pat-${look.pattern}`}
              style={{ "--gl-c": look.color } as React.CSSProperties}
            >
              {look.initial}
            </span>
            <div className="gl-card-body">
              <div>
                <strong>{look.name}</strong> <span className="gl-muted">· {author}</span>
              </div>
              <div className="gl-quote">“{snippet(session.text, s.start, s.end, 60)}”</div>
              {s.note && <div className="gl-note">{s.note}</div>}
              {links.map((r) => {
                const other = session.span(r.from === s.id ? r.to : r.from);
                if (!other) return null;
                const arrow = r.from === s.id ? `${r.type} →` : `← ${r.type}`;
                return (
                  <div key={r.id} className="gl-muted">
                    {arrow} {session.look(other.label).name} “
                    {snippet(session.text, other.start, other.end, 30)}”
                  </div>
                );
              })}
            </div>
          </div>
        );
      })}
    </div>
  );
}
