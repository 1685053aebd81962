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
          <p className="ok">
            Imported {result.imported.length} document{result.imported.length === 1 ? "" : "s"}
            {result.skipped.length
              ? `, skipped ${result.skipped.length} duplicate${result.skipped.length === 1 ? "" : "s"}`
              : ""}
            .
          </p>
          {result.skipped.length > 0 ? (
            <ul>
              {result.skipped.map((s) => (
                <li key={`${s.source}:${s.sha256}`}>
                  {s.name} <span className="muted">({s.source})</span> — same text as document #{s.existingId}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
