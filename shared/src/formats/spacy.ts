/**
 * spaCy / Prodigy span JSONL (prodi.gy/docs/api-interfaces, `spans_manual`): `{text, tokens: [{text,
 * start, end, id, ws}], spans: [{start, end, token_start, token_end, label}]}` with `token_end`
 * inclusive, as Prodigy writes it. Overlapping spans are allowed; spans that cover no token are left out
 * and counted. Character offsets follow the export's unit (code points by default, as Python indexes).
 */
import { tokenize } from "../tokenize";
import { soundRecord } from "./sound";
import { type DropCounts, tokenSpans } from "./tagging";
import type { ExportContext, ExportRecord } from "./types";
import { offsetWriter } from "./units";

/** One Prodigy task line for a record. */
export function spacyLine(
  record: ExportRecord,
  ctx: Pick<ExportContext, "offsets">,
  drops: DropCounts,
): string {
  const r = soundRecord(record);
  const text = r.document.text;
  const at = offsetWriter(text, ctx.offsets);
  const tokens = tokenize(text);
  const ranges = tokenSpans(tokens, r.spans, drops);
  return `${JSON.stringify({
    text,
    tokens: tokens.map((t, id) => ({
      text: t.text,
      start: at(t.start),
      end: at(t.end),
      id,
      ws: /^\s/.test(text.slice(t.end, t.end + 1)),
    })),
    spans: ranges.map(({ span, first, last }) => ({
      start: at(span.start),
      end: at(span.end),
      token_start: first,
      token_end: last,
      label: span.label,
      text: text.slice(span.start, span.end),
    })),
    meta: { document_id: r.document.id, document_name: r.document.name, layer: r.layer },
  })}\n`;
}
