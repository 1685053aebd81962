/** A progress bar with its figures as text beside it (the bar alone would say nothing to a screen reader). */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <span className="progress">
      <progress max={Math.max(total, 1)} value={total > 0 ? done : 0} aria-label={label} />
      <span className="progress-text">{total > 0 ? `${done}/${total} (${pct}%)` : "—"}</span>
    </span>
  );
}
