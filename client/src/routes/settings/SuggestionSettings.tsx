/**
 * Settings → Suggestions (issue 14): the project's recommenders — the built-in string matcher (what it
 * learns from, case and whitespace rules) and Label Studio ML backends (their URL) — added, enabled or
 * disabled and deleted here; the built-in one's quality on held-out documents (P/R/F1 per label).
 */
import type { RecommenderDto, RecommenderInput } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import {
  useCreateRecommender,
  useRecommenderQualityQuery,
  useRecommendersQuery,
  useRemoveRecommender,
  useUpdateRecommender,
} from "../../api/suggestions";
import { latestMutation, MutationDone, MutationError } from "../../components/MutationStatus";
import styles from "./SuggestionSettings.module.css";

/** The suggestions section. */
export function SuggestionSettings({ projectId }: { projectId: number }) {
  const list = useRecommendersQuery(projectId);
  const create = useCreateRecommender(projectId);
  const update = useUpdateRecommender(projectId);
  const remove = useRemoveRecommender(projectId);
  const outcome = latestMutation(create, update, remove);
  const busy = outcome.status === "pending";
  const recommenders = list.data?.recommenders ?? [];
  return (
    <section id="suggestions" className="panel" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">Suggestions</h2>
      <p className="muted">
        Recommenders propose spans, shown to annotators as dashed ghost spans they accept or reject. In
        independent mode each annotator's suggestions come only from their own work and the gold of other
        documents.
      </p>
      <MutationError mutation={outcome} />
      <MutationDone mutation={outcome}>
        {outcome === remove
          ? "Recommender deleted."
          : outcome === update
            ? "Recommender saved."
            : "Recommender added."}
      </MutationDone>
      {list.isError ? <p role="alert">The recommenders could not be read.</p> : null}
      {recommenders.length === 0 && list.isSuccess ? <p className="g-empty">No recommenders yet.</p> : null}
      <ul className={styles.list} aria-label="Recommenders">
        {recommenders.map((r) => (
          <li key={r.id} data-recommender={r.id} className={styles.item}>
            <div className={styles.head}>
              <strong>{r.name}</strong>
              <span className="muted">
                {r.kind === "string-match" ? "built-in string matching" : "Label Studio ML backend"}
              </span>
              <span className="muted">{describeConfig(r)}</span>
              {r.modelVersion ? <span className="muted">model {r.modelVersion}</span> : null}
              <label className="inline">
                <input
                  type="checkbox"
                  checked={r.enabled}
                  disabled={busy}
                  onChange={() => update.mutate({ id: r.id, patch: { enabled: !r.enabled } })}
                />
                Enabled
              </label>
              <button
                type="button"
                className="danger"
                aria-label={`Delete ${r.name}`}
                disabled={busy}
                onClick={() => remove.mutate(r.id)}
              >
                Delete
              </button>
            </div>
            {r.kind === "string-match" ? <Quality projectId={projectId} recommender={r} /> : null}
          </li>
        ))}
      </ul>
      <NewRecommender busy={busy} onCreate={(body, done) => create.mutate(body, { onSuccess: done })} />
    </section>
  );
}

function describeConfig(r: RecommenderDto): string {
  const c = r.config;
  if (r.kind === "label-studio-ml") return String(c.url ?? "");
  const sources = Array.isArray(c.sources) ? c.sources.join(" and ") : "gold and annotators";
  return `learns from ${sources}; ${c.caseSensitive === false ? "ignores case" : "case-sensitive"}${c.normalizeWhitespace ? "; any whitespace" : ""}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** P/R/F1 per label on held-out documents, asked for on demand. */
function Quality({ projectId, recommender }: { projectId: number; recommender: RecommenderDto }) {
  const [open, setOpen] = useState(false);
  const q = useRecommenderQualityQuery(projectId, recommender.id, open);
  return (
    <div className={styles.quality}>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Hide quality" : "Show quality"}
      </button>
      {open && q.isPending ? <p className="muted">Measuring…</p> : null}
      {open && q.isError ? <p role="alert">The quality could not be measured.</p> : null}
      {open && q.data ? (
        <table aria-label={`Quality of ${recommender.name}`}>
          <caption>
            On {q.data.heldOutDocuments} held-out document{q.data.heldOutDocuments === 1 ? "" : "s"} (trained
            on {q.data.trainingDocuments}), compared with the{" "}
            {q.data.reference === "gold" ? "gold layer" : "annotators' layers"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Precision</th>
              <th scope="col">Recall</th>
              <th scope="col">F1</th>
            </tr>
          </thead>
          <tbody>
            {q.data.labels.map((l) => (
              <tr key={l.label}>
                <th scope="row">{l.labelName}</th>
                <td>{pct(l.precision)}</td>
                <td>{pct(l.recall)}</td>
                <td>{pct(l.f1)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">all (micro)</th>
              <td>{pct(q.data.micro.precision)}</td>
              <td>{pct(q.data.micro.recall)}</td>
              <td>{pct(q.data.micro.f1)}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** The form that adds a recommender of either kind. */
function NewRecommender(props: { busy: boolean; onCreate(body: RecommenderInput, done: () => void): void }) {
  const [kind, setKind] = useState<"string-match" | "label-studio-ml">("string-match");
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const name = String(f.get("name") ?? "").trim();
    const done = () => form.reset();
    if (kind === "string-match") {
      const sources = (["gold", "annotators"] as const).filter((s) => f.get(`source-${s}`) === "on");
      props.onCreate(
        {
          name,
          kind,
          enabled: true,
          config: {
            sources: sources.length > 0 ? sources : ["gold", "annotators"],
            caseSensitive: f.get("caseSensitive") === "on",
            normalizeWhitespace: f.get("normalizeWhitespace") === "on",
          },
        },
        done,
      );
    } else {
      props.onCreate(
        {
          name,
          kind,
          enabled: true,
          config: {
            url: String(f.get("url") ?? "").trim(),
            timeoutMs: 10_000,
            retries: 2,
            versionCheckMs: 300_000,
          },
        },
        done,
      );
    }
  };
  return (
    <form className={styles.form} aria-label="New recommender" onSubmit={submit}>
      <h3>New recommender</h3>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="string-match">Built-in string matching</option>
          <option value="label-studio-ml">Label Studio ML backend</option>
        </select>
      </label>
      <label>
        Name
        <input name="name" required maxLength={100} />
      </label>
      {kind === "string-match" ? (
        <fieldset>
          <legend>Learns from</legend>
          <label className="inline">
            <input type="checkbox" name="source-gold" defaultChecked /> the gold layer
          </label>
          <label className="inline">
            <input type="checkbox" name="source-annotators" defaultChecked /> the annotators' layers
          </label>
          <label className="inline">
            <input type="checkbox" name="caseSensitive" defaultChecked /> Case-sensitive
          </label>
          <label className="inline">
            <input type="checkbox" name="normalizeWhitespace" /> Any run of whitespace matches any other
          </label>
        </fieldset>
      ) : (
        <label>
          Backend URL
          <input name="url" type="url" required placeholder="http://localhost:9090" pattern="https?://.+" />
        </label>
      )}
      <div>
        <button type="submit" className="primary" disabled={props.busy}>
          Add recommender
        </button>
      </div>
    </form>
  );
}
