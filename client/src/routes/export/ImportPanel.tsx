/**
 * Annotation import (POST /api/projects/:id/annotations/import): a file, its format, the target layer and
 * whether unknown labels may be created. All or nothing: the result's counts, or every problem the
 * server found with its file, line or record.
 */
import { IMPORT_FORMATS, type ImportFormat } from "@gloss/shared";
import { useId, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { useImportAnnotations } from "../../api/mutations";
import { MutationError } from "../../components/MutationStatus";
import type { LayerChoice } from "./ExportForm";

const FORMAT_TITLES: Record<ImportFormat, string> = {
  gloss: "Gloss JSONL",
  doccano: "doccano JSONL",
  labelstudio: "Label Studio JSON (annotations or predictions)",
  brat: "brat standoff (zip)",
  w3c: "W3C Web Annotation JSON-LD",
};

/** The problems of a refused import (422 details). */
export function importIssues(err: unknown): { messages: string[]; total: number } | null {
  if (!(err instanceof ApiError)) return null;
  const d = err.details as { errors?: Array<{ message?: unknown }>; total?: unknown } | undefined;
  if (!d || !Array.isArray(d.errors)) return null;
  const messages = d.errors.map((e) => (typeof e.message === "string" ? e.message : JSON.stringify(e)));
  return { messages, total: typeof d.total === "number" ? d.total : messages.length };
}

/** What a file held that Gloss cannot carry, in words: "3 events, 5 attributes" ("" when nothing). */
export function notImportedText(counts: Record<string, number> | undefined): string {
  return Object.entries(counts ?? {})
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${n === 1 ? kind.replace(/ies$/, "y").replace(/s$/, "") : kind}`)
    .join(", ");
}

/** The import panel. */
export function ImportPanel(props: { projectId: number; layers: readonly LayerChoice[] }) {
  const imp = useImportAnnotations(props.projectId);
  const fileRef = useRef<HTMLInputElement>(null);
  const [format, setFormat] = useState<ImportFormat>("gloss");
  const [layer, setLayer] = useState(props.layers[0]?.value ?? "gold");
  const [createLabels, setCreateLabels] = useState(false);
  const [offsets, setOffsets] = useState<"" | "codepoint" | "utf16">("");
  const id = useId();
  const result = imp.data;
  const issues = importIssues(imp.error);

  const submit = () =>
    imp.mutate({
      file: fileRef.current?.files?.[0],
      format,
      layer,
      createLabels,
      offsets: offsets || undefined,
    });

  return (
    <section className="panel import-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Import annotations</h2>
      <p className="muted">
        Bring pre-annotations or another tool's work into a layer. Documents are matched by id, name or
        checksum; every span is checked against the text it claims to cover. Nothing is stored unless the
        whole file is right.
      </p>
      <form
        className="stack"
        aria-label="Import annotations"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label>
          File
          <input
            ref={fileRef}
            type="file"
            accept=".jsonl,.json,.jsonld,.zip,application/json,application/zip"
          />
        </label>
        <div className="row wrap">
          <label>
            Format of the file
            <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
              {IMPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_TITLES[f]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Into layer
            <select value={layer} onChange={(e) => setLayer(e.target.value)}>
              {props.layers.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.text}
                </option>
              ))}
            </select>
          </label>
          <label>
            Offsets in the file
            <select value={offsets} onChange={(e) => setOffsets(e.target.value as typeof offsets)}>
              <option value="">Detect per document</option>
              <option value="codepoint">Code points</option>
              <option value="utf16">UTF-16 code units</option>
            </select>
          </label>
        </div>
        <label className="inline">
          <input type="checkbox" checked={createLabels} onChange={(e) => setCreateLabels(e.target.checked)} />
          Create labels the project does not have yet
        </label>
        <div>
          <button type="submit" className="primary" disabled={imp.isPending}>
            {imp.isPending ? "Importing…" : "Import"}
          </button>
        </div>
      </form>
      {result ? (
        <p className="import-result" role="status">
          Imported {result.spans} span{result.spans === 1 ? "" : "s"} and {result.relations} relation
          {result.relations === 1 ? "" : "s"} into {result.documents} document
          {result.documents === 1 ? "" : "s"}
          {result.skipped ? `; ${result.skipped} already there, skipped` : ""}.
          {result.createdLabels.length ? ` New labels: ${result.createdLabels.join(", ")}.` : ""}
        </p>
      ) : null}
      {result && notImportedText(result.notImported) ? (
        <p className="import-not-imported" role="status">
          Not imported (Gloss cannot carry them): {notImportedText(result.notImported)}.
        </p>
      ) : null}
      {issues ? (
        <div className="g-error" role="alert">
          <strong>{imp.error instanceof Error ? imp.error.message : "Nothing was imported."}</strong>
          <ol className="issue-list">
            {issues.messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of messages
              <li key={i}>{m}</li>
            ))}
          </ol>
          {issues.total > issues.messages.length ? (
            <p>… and {issues.total - issues.messages.length} more.</p>
          ) : null}
        </div>
      ) : (
        <MutationError mutation={imp} title="Nothing was imported" />
      )}
    </section>
  );
}
