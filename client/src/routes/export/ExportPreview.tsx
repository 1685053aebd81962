/** The first records of an export, fetched from the same URL as the download and cut off after a few KB. */
import { FORMAT_INFO } from "@gloss/shared";
import { useEffect, useState } from "react";
import { isAbort } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { ExportState } from "./exportQuery";
import { completeLines, type Head, jsonlRecords, readHead } from "./readHead";

const RECORDS = 3;
const LINES = 40;

/** The preview of `url` (refetched, debounced, when it changes). */
export function ExportPreview({ url, format }: { url: string | null; format: ExportState["format"] }) {
  const info = FORMAT_INFO[format];
  const [head, setHead] = useState<(Head & { url: string }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!url || info.zip) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      readHead(url, ctrl.signal).then(
        (h) => {
          setHead({ ...h, url });
          setError(null);
          setLoading(false);
        },
        (err) => {
          if (isAbort(err)) return;
          setHead(null);
          setError(err);
          setLoading(false);
        },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [url, info.zip]);

  if (info.zip) {
    return <p className="muted">{info.title}: a zip archive. Download it to look inside.</p>;
  }
  if (error) return <ErrorMessage error={error} title="No preview" />;
  if (!head) return <p className="muted">{loading ? "Loading a preview…" : ""}</p>;
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
        <p className="empty">Nothing to export with these choices.</p>
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
