/**
 * spaCy / Prodigy span JSONL (prodi.gy/docs/api-interfaces, `spans_manual`): `{text, tokens: [{text,
 * start, end, id, ws}], spans: [{start, end, token_start, token_end, label}]}` with `token_end`
 * inclusive, as Prodigy writes it. The tokens are those of alignTokens.ts's `spacyTokens`: every span
 * starts on a token start and ends on a token end (what `Doc.char_span(alignment_mode="strict")` and
 * Prodigy accept), and the tokens with their `ws` flags rebuild the text exactly. Overlapping spans are
 * allowed. Character offsets follow the export's unit (code points by default, as Python indexes).
 */
import { spacyTokens } from "./alignTokens";
import { soundRecord } from "./sound";
import type { DropCounts } from "./tagging";
import type { ExportContext, ExportRecord } from "./types";
import { offsetWriter } from "./units";

/** One Prodigy task line for a record (`drops` is kept for the writers' signature: no span is dropped). */
export function spacyLine(
  record: ExportRecord,
  ctx: Pick<ExportContext, "offsets">,
  _drops: DropCounts,
): string {
  const r = soundRecord(record);
  const text = r.document.text;
  const at = offsetWriter(text, ctx.offsets);
  const tokens = spacyTokens(text, r.spans);
  const byStart = new Map<number, number>();
  const byEnd = new Map<number, number>();
  tokens.forEach((t, id) => {
    byStart.set(t.start, id);
    byEnd.set(t.end, id);
  });
  return `${JSON.stringify({
    text,
    tokens: tokens.map((t, id) => ({ text: t.text, start: at(t.start), end: at(t.end), id, ws: t.ws })),
    spans: r.spans.map((span) => ({
      start: at(span.start),
      end: at(span.end),
      token_start: byStart.get(span.start)!,
      token_end: byEnd.get(span.end)!,
      label: span.label,
      text: text.slice(span.start, span.end),
    })),
    meta: { document_id: r.document.id, document_name: r.document.name, layer: r.layer },
  })}\n`;
}
