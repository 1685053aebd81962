/**
 * Majority vote over annotator layers: a span (same start, end and label) is kept when it is in more than
 * half of the document's annotator layers; a relation when its two ends and type are, in more than half.
 */
import type { ExportRelation, ExportSpan } from "./types";

export interface VoterLayer {
  layer: string;
  spans: ExportSpan[];
  relations: ExportRelation[];
}

const spanKey = (s: Pick<ExportSpan, "start" | "end" | "label">) => `${s.start}:${s.end}:${s.label}`;

/**
 * The majority layer of a document. `voters` is the number of annotator layers (it may exceed
 * `layers.length`: an assigned annotator who marked nothing still votes "no").
 */
export function majorityVote(
  layers: VoterLayer[],
  voters: number,
): { spans: ExportSpan[]; relations: ExportRelation[] } {
  const need = Math.floor(voters / 2) + 1;
  const votes = new Map<string, { span: ExportSpan; layers: Set<string>; authors: Set<number> }>();
  const relVotes = new Map<string, { rel: ExportRelation; layers: Set<string> }>();
  for (const l of layers) {
    const byId = new Map(l.spans.map((s) => [s.id, s]));
    for (const s of l.spans) {
      const k = spanKey(s);
      const v = votes.get(k) ?? { span: s, layers: new Set(), authors: new Set() };
      v.layers.add(l.layer);
      if (s.author !== null) v.authors.add(s.author);
      votes.set(k, v);
    }
    for (const r of l.relations) {
      const a = byId.get(r.from);
      const b = byId.get(r.to);
      if (!a || !b) continue;
      const k = `${spanKey(a)}>${spanKey(b)}>${r.type}`;
      const v = relVotes.get(k) ?? { rel: r, layers: new Set() };
      v.layers.add(l.layer);
      relVotes.set(k, v);
    }
  }
  const spans: ExportSpan[] = [];
  const idOf = new Map<string, string>();
  for (const [k, v] of votes) {
    if (v.layers.size < need) continue;
    const id = `m-${v.span.start}-${v.span.end}-${idOf.size}`;
    idOf.set(k, id);
    spans.push({
      id,
      start: v.span.start,
      end: v.span.end,
      label: v.span.label,
      author: null,
      note: null,
      extra: { annotators: [...v.authors].sort((a, b) => a - b), votes: v.layers.size, voters },
    });
  }
  const relations: ExportRelation[] = [];
  for (const [k, v] of relVotes) {
    if (v.layers.size < need) continue;
    const [from, to] = k.split(">");
    const a = idOf.get(from!);
    const b = idOf.get(to!);
    if (a && b)
      relations.push({ id: `m-r${relations.length}`, from: a, to: b, type: v.rel.type, author: null });
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end || (a.label < b.label ? -1 : 1));
  return { spans, relations };
}
