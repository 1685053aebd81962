/** Previous/Next through a paginated list, with "41–60 of 250" (issue 11: every growing list pages). */

/** The pager; nothing when everything fits on one page. */
export function Pager(props: {
  /** What the buttons page through, for their names ("queue" → "Previous page of queue"). */
  of: string;
  offset: number;
  limit: number;
  shown: number;
  total: number;
  onOffset(offset: number): void;
}) {
  const { offset, limit, shown, total, of } = props;
  if (total <= limit && offset === 0) return null;
  return (
    <p className="row pager">
      <span className="muted">
        {shown === 0 ? `0 of ${total}` : `${offset + 1}–${offset + shown} of ${total}`}
      </span>
      <button
        type="button"
        aria-label={`Previous page of ${of}`}
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button
        type="button"
        aria-label={`Following page of ${of}`}
        disabled={offset + limit >= total}
        onClick={() => props.onOffset(offset + limit)}
      >
        Following
      </button>
    </p>
  );
}
