/**
 * The first records of an export, read from the same URL as the download and cut off after a few KB
 * (api/readHead.ts), through the query cache: one preview per URL, re-read when an import or a curation
 * decision changes what the project exports.
 */
import { FORMAT_INFO } from "@gloss/shared";
import { useExportPreviewQuery } from "../../api/queries";
import type { Head } from "../../api/readHead";
import { completeLines, jsonlRecords } from "../../api/readHead";
import { QueryView } from "../../components/QueryView";
import { useDebounced } from "../../components/useDebounced";
import type { ExportState } from "./exportQuery";

const RECORDS = 3;
const LINES = 40;

/** The preview of `url` (read again, debounced, when it changes; none for zip archives). */
export function ExportPreview(props: {
  projectId: number;
  url: string | null;
  format: ExportState["format"];
}) {
  const info = FORMAT_INFO[props.format];
  const url = useDebounced(info.zip ? null : props.url, 300);
  const preview = useExportPreviewQuery(props.projectId, url);
  if (info.zip) {
    return <p className="muted">{info.title}: a zip archive. Download it to look inside.</p>;
  }
  if (!props.url) return null;
  return (
    <QueryView query={preview} errorTitle="No preview" loading="Loading a preview…">
      {(head) => <Preview head={head} format={props.format} loading={preview.isFetching} />}
    </QueryView>
  );
}

function Preview({
  head,
  format,
  loading,
}: {
  head: Head & { url: string };
  format: ExportState["format"];
  loading: boolean;
}) {
  const info = FORMAT_INFO[format];
  const lines = completeLines(head);
  const jsonl = info.extension === "jsonl";
  let shown = jsonl ? jsonlRecords(lines, RECORDS) : lines.slice(0, LINES);
  // one long JSON document (Label Studio, W3C) has no complete line in its head: show the head itself
  if (!jsonl && shown.length === 0 && head.text.trim()) shown = [`${head.text.slice(0, 4000)}…`];
  const more = jsonl
    ? lines.filter((l) => l.trim()).length > RECORDS || head.truncated
    : lines.length > LINES || head.truncated;
  return (
    <div className="export-preview" aria-busy={loading} data-source={head.url}>
      {shown.length === 0 ? (
        <p className="g-empty">Nothing to export with these choices.</p>
      ) : (
        <>
          <p className="hint">
            {jsonl
              ? `The first ${Math.min(RECORDS, shown.length)} record${shown.length === 1 ? "" : "s"}`
              : `The first ${shown.length} lines`}
            {more ? ", and more in the file." : "."}
          </p>
          <pre className="preview-text">{shown.join(jsonl ? "\n\n" : "\n")}</pre>
        </>
      )}
    </div>
  );
}
