/**
 * A notice that stays until dismissed, above the inspector: today, that another person's concurrent edit of
 * a span replaced this user's (session.ts). Also read out once by the editor's live region.
 */
import styles from "./Notice.module.css";

export function Notice({ text, onDismiss }: { text: string; onDismiss(): void }) {
  return (
    <div className={`gl-notice ${styles.notice}`}>
      <p className={styles.text}>{text}</p>
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
