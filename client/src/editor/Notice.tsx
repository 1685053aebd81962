/**
 * A notice that stays until dismissed, above the inspector: today, that another person's concurrent edit of
 * a span replaced this user's (session.ts), with "Keep mine" to put this user's version back. Also read out
 * once by the editor's live region.
 */
import styles from "./Notice.module.css";

export function Notice(props: { text: string; onKeepMine?: () => void; onDismiss(): void }) {
  return (
    <div className={`gl-notice ${styles.notice}`}>
      <p className={styles.text}>{props.text}</p>
      <div className={styles.actions}>
        {props.onKeepMine && (
          <button type="button" onClick={props.onKeepMine}>
            Keep mine
          </button>
        )}
        <button type="button" onClick={props.onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
