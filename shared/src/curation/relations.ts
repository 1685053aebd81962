/** Relations between candidate spans: aligned by the signatures of their ends and their type. */

import { relationKey, spanSignature } from "./keys";
import { byPosition, bySupporter, cmp } from "./order";
import type { AnnotatorLayer, GoldState, RelationCandidate } from "./types";

/** Groups annotator relations by (from signature, to signature, type) and finds the gold ones that match. */
export function alignRelations(
  layers: readonly AnnotatorLayer[],
  gold: GoldState,
  rejected: ReadonlySet<string>,
  n: number,
  threshold: number,
): RelationCandidate[] {
  const byKey = new Map<string, RelationCandidate>();
  for (const l of layers) {
    const sigOf = new Map(l.spans.map((s) => [s.id, spanSignature(s)]));
    for (const r of l.relations ?? []) {
      const from = sigOf.get(r.from);
      const to = sigOf.get(r.to);
      if (!from || !to) continue; // a dangling relation is not a version of anything
      const key = relationKey(from, to, r.type);
      let c = byKey.get(key);
      if (!c) {
        c = {
          key,
          from,
          to,
          type: r.type,
          supporters: [],
          support: 0,
          unanimous: false,
          agreed: false,
          goldRelationIds: [],
          rejected: rejected.has(key),
        };
        byKey.set(key, c);
      }
      c.supporters.push({ layer: l.layer, userId: l.userId, id: r.id });
    }
  }
  const goldSig = new Map(gold.spans.map((s) => [s.id, spanSignature(s)]));
  for (const r of gold.relations ?? []) {
    const from = goldSig.get(r.from);
    const to = goldSig.get(r.to);
    if (from && to) byKey.get(relationKey(from, to, r.type))?.goldRelationIds.push(r.id);
  }
  const out = [...byKey.values()];
  for (const c of out) {
    c.supporters.sort(bySupporter);
    c.goldRelationIds.sort(cmp);
    c.support = new Set(c.supporters.map((s) => s.layer)).size;
    c.unanimous = c.support === n;
    c.agreed = c.support >= threshold && c.support > 0;
  }
  return out.sort((a, b) => bySignature(a.from, b.from) || bySignature(a.to, b.to) || cmp(a.type, b.type));
}

/** Orders `start:end:label` signatures like their spans. */
function bySignature(a: string, b: string): number {
  const [as = 0, ae = 0, al = 0] = a.split(":").map(Number);
  const [bs = 0, be = 0, bl = 0] = b.split(":").map(Number);
  return byPosition({ start: as, end: ae, label: al }, { start: bs, end: be, label: bl });
}
