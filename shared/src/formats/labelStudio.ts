/**
 * Label Studio tasks JSON (labelstud.io/guide/task_format, includes/result_format.md): an array of tasks
 * `{data: {text}, annotations: [{result: [...]}]}`; a span is a `labels` region
 * `{id, from_name, to_name, type: "labels", value: {start, end, text, labels: [name]}}`, a relation
 * `{type: "relation", from_id, to_id, direction: "right", labels: [type]}`. It imports with the NER
 * template's config (`<Labels name="label" toName="text">`, `<Text name="text" value="$text"/>`).
 * Offsets are code points (Label Studio stores code points since label-studio#1559; older exports
 * wrote UTF-16, which the import detects per document from `value.text`).
 */
import { isInt, isObject, optDocId, readJson } from "./json";
import { soundRecord } from "./sound";
import {
  type ExportContext,
  type ExportRecord,
  type FormatIssue,
  type ImportDocument,
  type ImportRelation,
  type ImportSpan,
  issue,
  type ParseResult,
  type SourcePosition,
} from "./types";
import { offsetWriter } from "./units";

/** The `from_name`/`to_name` of the NER template Gloss exports for. */
export const LABEL_STUDIO_NAMES = { from: "label", to: "text" } as const;

/** One Label Studio task object for a record. */
export function labelStudioTask(
  record: ExportRecord,
  ctx: Pick<ExportContext, "offsets">,
): Record<string, unknown> {
  const r = soundRecord(record);
  const at = offsetWriter(r.document.text, ctx.offsets);
  const text = r.document.text;
  const ids = new Set(r.spans.map((s) => s.id));
  const result: unknown[] = r.spans.map((s) => {
    const score = s.extra && typeof s.extra.score === "number" ? s.extra.score : undefined;
    return {
      id: s.id,
      from_name: LABEL_STUDIO_NAMES.from,
      to_name: LABEL_STUDIO_NAMES.to,
      type: "labels",
      origin: "manual",
      value: { start: at(s.start), end: at(s.end), text: text.slice(s.start, s.end), labels: [s.label] },
      ...(s.note ? { meta: { text: [s.note] } } : {}),
      ...(score !== undefined ? { score } : {}),
    };
  });
  for (const x of r.relations) {
    if (!ids.has(x.from) || !ids.has(x.to)) continue;
    result.push({ type: "relation", from_id: x.from, to_id: x.to, direction: "right", labels: [x.type] });
  }
  return {
    data: { text, document_id: r.document.id, document_name: r.document.name, sha256: r.document.sha256 },
    annotations: [{ result, ground_truth: r.layer === "gold", meta: { layer: r.layer } }],
  };
}

/**
 * Parses Label Studio JSON (an array of tasks, or one task). Each task's annotations are read (cancelled
 * ones skipped); a task without annotations contributes its predictions, scores kept.
 */
export function readLabelStudio(input: string, file?: string): ParseResult {
  const { value, issues } = readJson(input, file);
  const documents: ImportDocument[] = [];
  if (issues.length) return { documents, issues };
  const tasks = Array.isArray(value) ? value : [value];
  tasks.forEach((task, i) => {
    const pos: SourcePosition = { file, record: i + 1 };
    if (!isObject(task)) {
      issues.push(issue("invalid_record", pos, "a task must be a JSON object"));
      return;
    }
    const data = isObject(task.data) ? task.data : task;
    const text = taskText(data);
    if (text === undefined) {
      issues.push(issue("invalid_record", { ...pos, field: "data.text" }, "the task has no text"));
      return;
    }
    const spans: ImportSpan[] = [];
    const relations: ImportRelation[] = [];
    const annotations = (Array.isArray(task.annotations) ? task.annotations : []).filter(
      (a) => isObject(a) && !a.was_cancelled,
    );
    const useAnnotations = annotations.some((a) => Array.isArray((a as Record<string, unknown>).result));
    const sources = useAnnotations ? annotations : Array.isArray(task.predictions) ? task.predictions : [];
    const kind = useAnnotations ? "annotations" : "predictions";
    sources.forEach((src, j) => {
      if (!isObject(src) || !Array.isArray(src.result)) return;
      const defaultScore = typeof src.score === "number" ? src.score : undefined;
      src.result.forEach((res, k) => {
        const rpos = { ...pos, field: `${kind}[${j}].result[${k}]` };
        readResult(res, rpos, defaultScore, spans, relations, issues);
      });
    });
    documents.push({
      ref: {
        id: optDocId(data.document_id),
        name: typeof data.document_name === "string" ? data.document_name : undefined,
        sha256: typeof data.sha256 === "string" ? data.sha256 : undefined,
        text,
      },
      spans,
      relations,
      pos,
    });
  });
  return { documents, issues };
}

/** `data.text`, or the only string field of `data` (a project may name its text variable otherwise). */
function taskText(data: Record<string, unknown>): string | undefined {
  if (typeof data.text === "string") return data.text;
  const strings = Object.values(data).filter((v): v is string => typeof v === "string");
  return strings.length === 1 ? strings[0] : undefined;
}

function readResult(
  res: unknown,
  pos: SourcePosition,
  defaultScore: number | undefined,
  spans: ImportSpan[],
  relations: ImportRelation[],
  issues: FormatIssue[],
) {
  if (!isObject(res)) {
    issues.push(issue("invalid_record", pos, "a result must be a JSON object"));
    return;
  }
  if (res.type === "relation") {
    if (res.from_id === undefined || res.to_id === undefined) {
      issues.push(issue("invalid_record", pos, "a relation needs from_id and to_id"));
      return;
    }
    const labels = Array.isArray(res.labels) ? res.labels.filter((l) => typeof l === "string") : [];
    relations.push({ from: String(res.from_id), to: String(res.to_id), type: labels[0] ?? "", pos });
    return;
  }
  const v = res.value;
  if (!isObject(v) || !Array.isArray(v.labels)) return; // choices, textareas…: not spans
  if (!isInt(v.start) || !isInt(v.end)) {
    issues.push(issue("invalid_record", pos, "a labels region needs integer value.start and value.end"));
    return;
  }
  const meta =
    isObject(res.meta) && Array.isArray(res.meta.text)
      ? res.meta.text.filter((t) => typeof t === "string")
      : [];
  const score = typeof res.score === "number" ? res.score : defaultScore;
  for (const label of v.labels) {
    if (typeof label !== "string") continue;
    spans.push({
      key: res.id === undefined ? undefined : String(res.id),
      start: v.start,
      end: v.end,
      label,
      text: typeof v.text === "string" ? v.text : undefined,
      note: meta.length ? meta.join("\n") : undefined,
      score,
      pos,
    });
  }
}
