/**
 * Label confusion between annotators on overlapping spans: a shaded table (counts printed in every cell)
 * and the most frequent mismatches in words. "(none)" is a span nobody else's span overlaps.
 */
import type { AgreementReport } from "@gloss/shared";

/** The confusion section. */
export function ConfusionMatrix({ confusion }: { confusion: AgreementReport["confusion"] }) {
  const { labels, counts, top } = confusion;
  let max = 0;
  for (const [x, row] of counts.entries())
    for (const [y, n] of row.entries()) if (x !== y && n > max) max = n;
  const diagMax = Math.max(1, ...counts.map((row, x) => row[x] ?? 0));
  return (
    <section aria-labelledby="confusion-title" className="agreement-section">
      <h2 id="confusion-title">Label confusion</h2>
      <p className="hint">
        Overlapping spans of two annotators, by the label each gave. The diagonal counts agreements; off the
        diagonal, mismatches (each pair counted once per direction of the table).
      </p>
      {top.length ? (
        <ol className="mismatch-list">
          {top.slice(0, 5).map((m) => (
            <li key={`${m.a}\u0000${m.b}`}>
              <strong>
                {m.a} ↔ {m.b}
              </strong>
              : {m.count} overlapping span pair{m.count === 1 ? "" : "s"}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No label mismatches on overlapping spans.</p>
      )}
      <div className="table-scroll">
        <table className="confusion">
          <caption className="visually-hidden">Label confusion: rows and columns are labels</caption>
          <thead>
            <tr>
              <td />
              {labels.map((l) => (
                <th key={l.name} scope="col">
                  {l.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((row, x) => (
              <tr key={row.name}>
                <th scope="row">{row.name}</th>
                {labels.map((col, y) => {
                  const n = counts[x]?.[y] ?? 0;
                  const diag = x === y;
                  const share = diag ? n / diagMax : max ? n / max : 0;
                  const bg =
                    n === 0
                      ? undefined
                      : diag
                        ? `rgba(30, 107, 58, ${0.1 + 0.35 * share})`
                        : `rgba(164, 38, 44, ${0.08 + 0.4 * share})`;
                  return (
                    <td
                      key={col.name}
                      className={`num${diag ? " diag" : ""}`}
                      style={{ background: bg }}
                      title={
                        diag ? `${row.name}: ${n} overlapping matches` : `${row.name} vs ${col.name}: ${n}`
                      }
                    >
                      {diag && x === 0 ? "—" : n}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
