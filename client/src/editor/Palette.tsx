/**
 * The docked label palette: one button per label (its accessible name is the label's name; its hotkey is
 * shown and exposed as aria-keyshortcuts). A button labels the text selection, or relabels the selected span.
 * Alt+click labels the selection exactly, without word snapping. "Compact labels" switches the tags above the
 * spans from the label's name to its initial (remembered on this device).
 */
import type { LabelDto } from "@gloss/shared";
import type { EditorActions } from "./actions";
import { labelLooks } from "./labelStyle";
import type { EditorSession } from "./session";
import type { EditorUiState } from "./store";

interface Props {
  open: { session: EditorSession; actions: EditorActions };
  ui: EditorUiState;
  labels: readonly LabelDto[];
  readOnly: boolean;
  compact: boolean;
  onToggleCompact(): void;
}

export function Palette({ open, ui, labels, readOnly, compact, onToggleCompact }: Props) {
  const { session, actions } = open;
  const looks = labelLooks(labels);
  const selected = session.span(ui.selectedId);
  const actionable = !readOnly && (ui.hasTextSelection || selected !== null);
  return (
    <div className="gl-palette" role="toolbar" aria-label="Labels">
      {labels.map((label) => {
        const look = looks.get(label.id)!;
        return (
          <button
            key={label.id}
            type="button"
            className={`gl-label-btn${actionable ? "" : " gl-idle"}`}
            aria-label={label.name}
            aria-keyshortcuts={label.hotkey ?? undefined}
            aria-pressed={selected ? selected.label === label.id : undefined}
            aria-disabled={readOnly || undefined}
            title={label.description || undefined}
            style={{ "--gl-c": look.color } as React.CSSProperties}
            // Keep the editor's focus and selection: the button acts on them.
            onMouseDown={(e) => e.preventDefault()}
            onClick={(e) => actions.applyLabel(label.id, e.altKey)}
          >
            <span className={`gl-swatch gl-pat-${look.pattern}`} aria-hidden="true">
              {look.initial}
            </span>
            <span className="gl-label-name">{label.name}</span>
            {label.hotkey && <kbd>{label.hotkey}</kbd>}
          </button>
        );
      })}
      <span className="gl-spacer" />
      {readOnly && <span className="gl-badge">Read only</span>}
      <button
        type="button"
        className="gl-toggle"
        aria-pressed={compact}
        title="Show only each label's initial above the spans"
        onMouseDown={(e) => e.preventDefault()}
        onClick={onToggleCompact}
      >
        Compact labels
      </button>
      <button
        type="button"
        className="gl-icon-btn"
        aria-label="Keyboard shortcuts"
        aria-expanded={ui.helpOpen}
        aria-keyshortcuts="?"
        onClick={() => actions.toggleHelp()}
      >
        ?
      </button>
    </div>
  );
}
