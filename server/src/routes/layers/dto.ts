/** Layer records → REST DTOs, and REST offsets/labels → layer values. */
import type { Span, SpanDto } from "@gloss/shared";
import { fieldError, type OpenLayer } from "./access";

/** A caller's offset (code points unless `?offsets=utf16`) → UTF-16, or a 400 naming the field. */
export function inboundOffset(layer: OpenLayer, value: number, field: "start" | "end"): number {
  if (layer.unit === "utf16") return value;
  try {
    return layer.offsets.toUtf16(value);
  } catch (err) {
    throw fieldError(field, (err as Error).message);
  }
}

/** `label` as an id or a name → the label id, or a 400 on `label`. */
export function resolveLabel(layer: OpenLayer, label: number | string): number {
  if (typeof label === "number") {
    if (!layer.labelNames.has(label)) throw fieldError("label", `unknown label id ${label}`);
    return label;
  }
  const id = layer.labelIdsByName.get(label);
  if (id === undefined) throw fieldError("label", `unknown label ${JSON.stringify(label)}`);
  return id;
}

/** A span as the API shows it (offsets in the caller's unit, with its covered text); null for a junk record. */
export function toSpanDto(layer: OpenLayer, span: Span): SpanDto | null {
  const { start, end } = span;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > layer.text.length ||
    start > end
  )
    return null;
  let outStart = start;
  let outEnd = end;
  if (layer.unit === "codepoint") {
    try {
      outStart = layer.offsets.toCodePoint(start);
      outEnd = layer.offsets.toCodePoint(end);
    } catch {
      return null;
    }
  }
  return {
    id: span.id,
    start: outStart,
    end: outEnd,
    label: span.label,
    labelName: layer.labelNames.get(span.label) ?? "",
    text: layer.text.slice(start, end),
    author: span.author ?? null,
    createdAt: span.createdAt,
    updatedAt: span.updatedAt ?? null,
    note: span.note ?? null,
  };
}
