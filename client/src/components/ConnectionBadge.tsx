/** The connection indicator: a word, a symbol and a sentence (announced politely when it changes). */
import { CONNECTION_TEXT, type ConnectionState } from "../collab/connectionState";

const MARK: Record<ConnectionState, string> = {
  connected: "●",
  syncing: "◌",
  offline: "○",
  "signed-out": "■",
  forbidden: "■",
  "not-found": "■",
  refused: "■",
};

/** Shows the connection state. */
export function ConnectionBadge({ state }: { state: ConnectionState }) {
  const t = CONNECTION_TEXT[state];
  return (
    <span className={`connection connection-${state}`} role="status" aria-live="polite" title={t.detail}>
      <span aria-hidden="true">{MARK[state]} </span>
      <span className="connection-label">{t.label}</span>
      <span className="visually-hidden">: {t.detail}</span>
    </span>
  );
}
