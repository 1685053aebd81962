/** Each label with its hotkey and its guideline. */
import type { LabelDto } from "@gloss/shared";
import { LabelBadge } from "./LabelBadge";

/** The guidelines panel. */
export function GuidelinesPanel({ labels }: { labels: readonly LabelDto[] }) {
  return (
    <dl className="guidelines">
      {labels.map((l) => (
        <div key={l.id}>
          <dt>
            <LabelBadge label={l} />
            {l.hotkey ? (
              <kbd aria-label={`hotkey ${l.hotkey}`} className="hotkey">
                {l.hotkey}
              </kbd>
            ) : null}
          </dt>
          <dd>{l.description || <span className="muted">No guideline yet.</span>}</dd>
        </div>
      ))}
    </dl>
  );
}
