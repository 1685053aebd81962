/** Import documents by upload: .txt, .jsonl or .csv files, as multipart `files`. */
import type { FormEvent } from "react";
import { useUploadDocuments } from "../../api/mutations";
import { MutationError } from "../../components/MutationStatus";

/** The import section. */
export function ImportDocuments({ projectId }: { projectId: number }) {
  const upload = useUploadDocuments(projectId);
  const result = upload.data;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const input = form.elements.namedItem("files") as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    if (files.length === 0) return;
    upload.mutate(files, { onSuccess: () => form.reset() });
  };

  return (
    <section id="import" className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import documents</h2>
      <p className="hint">
        Plain text (.txt, one document per file), JSON Lines (.jsonl, one <code>{'{"text", "name"}'}</code>{" "}
        per line) or CSV with a <code>text</code> column. UTF-8 only. Nothing is stored from an import that
        has an error; duplicates are skipped.
      </p>
      <form onSubmit={onSubmit} className="row wrap">
        <label>
          Files
          <input name="files" type="file" multiple accept=".txt,.jsonl,.csv,text/plain,text/csv" required />
        </label>
        <button type="submit" className="primary" disabled={upload.isPending}>
          {upload.isPending ? "Importing…" : "Import"}
        </button>
      </form>
      <MutationError mutation={upload} title="Nothing was imported" />
      {result ? (
        <div role="status" className="import-result">
          <p className="g-ok">
            Imported {result.imported.count.toLocaleString()} document{plural(result.imported.count)}
            {result.skipped.count
              ? `, skipped ${result.skipped.count.toLocaleString()} duplicate${plural(result.skipped.count)}`
              : ""}
            .
          </p>
          {result.imported.first.length > 0 ? (
            <>
              <h3>Imported</h3>
              <ul aria-label="Imported documents">
                {result.imported.first.map((d) => (
                  <li key={d.id}>
                    {d.name} <span className="muted">#{d.id}</span>
                  </li>
                ))}
              </ul>
              <More shown={result.imported.first.length} count={result.imported.count} />
            </>
          ) : null}
          {result.skipped.first.length > 0 ? (
            <>
              <h3>Skipped duplicates</h3>
              <ul aria-label="Skipped duplicates">
                {result.skipped.first.map((s) => (
                  <li key={`${s.source}:${s.sha256}`}>
                    {s.name} <span className="muted">({s.source})</span> — same text as document #
                    {s.existingId}
                  </li>
                ))}
              </ul>
              <More shown={result.skipped.first.length} count={result.skipped.count} />
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

const plural = (n: number) => (n === 1 ? "" : "s");

/** "… and N more" under a list that shows only the first entries of a long import. */
function More({ shown, count }: { shown: number; count: number }) {
  return count > shown ? <p className="muted">… and {(count - shown).toLocaleString()} more</p> : null;
}
