/**
 * Relations are curated too: every relation version the annotators drew (between span versions), with
 * who drew it and whether gold has it; accept copies it (both ends must be in gold), reject records it.
 */
import type { CurationDecisionBody, DocumentCurationDto } from "@gloss/shared";
import styles from "./panel.module.css";

/** The relations section (nothing when nobody drew a relation). */
export function RelationsPanel(props: {
  view: DocumentCurationDto;
  names: ReadonlyMap<number, string>;
  busy: boolean;
  onDecide(body: CurationDecisionBody): void;
}) {
  const { view, names, busy } = props;
  if (view.relations.length === 0 && view.gold.relations.length === 0) return null;
  const spanText = new Map<string, string>();
  for (const site of view.sites)
    for (const c of site.candidates) spanText.set(c.key, `${c.labelName} “${c.text}”`);
  const goldText = new Map(view.gold.spans.map((s) => [s.id, `${s.labelName} “${s.text}”`]));
  const candidateGold = new Set(view.relations.flatMap((r) => r.goldRelationIds));
  return (
    <section className={styles.relations} aria-labelledby="relations-title">
      <h2 id="relations-title">Relations</h2>
      <ul>
        {view.relations.map((r) => {
          const inGold = r.goldRelationIds.length > 0;
          const first = r.annotators[0];
          return (
            <li key={r.key}>
              <span>
                {spanText.get(r.from) ?? "a span"} <span className="relation-type">—{r.type}→</span>{" "}
                {spanText.get(r.to) ?? "a span"}
              </span>
              <span className="hint">
                by {r.annotators.map((a) => names.get(a.userId) ?? a.layer).join(", ")}
                {inGold ? " · in gold ✓" : r.rejected ? " · rejected" : ""}
              </span>
              <span className="row">
                {!inGold && first ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      props.onDecide({
                        action: "accept-relation",
                        layer: first.layer as `user-${number}`,
                        relationId: first.relationId,
                      })
                    }
                  >
                    Accept relation
                  </button>
                ) : null}
                {inGold ? (
                  <button
                    type="button"
                    className="danger"
                    disabled={busy}
                    onClick={() =>
                      props.onDecide({ action: "remove-relation", goldRelationId: r.goldRelationIds[0]! })
                    }
                  >
                    Remove from gold
                  </button>
                ) : !r.rejected ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => props.onDecide({ action: "reject", key: r.key })}
                  >
                    Reject
                  </button>
                ) : null}
              </span>
            </li>
          );
        })}
        {view.gold.relations
          .filter((g) => !candidateGold.has(g.id))
          .map((g) => (
            <li key={g.id}>
              <span>
                {goldText.get(g.from) ?? "a span"} <span className="relation-type">—{g.type}→</span>{" "}
                {goldText.get(g.to) ?? "a span"}
              </span>
              <span className="hint">gold only</span>
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => props.onDecide({ action: "remove-relation", goldRelationId: g.id })}
              >
                Remove from gold
              </button>
            </li>
          ))}
      </ul>
    </section>
  );
}
