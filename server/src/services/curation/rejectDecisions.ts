/**
 * Rejections: a curator records a disagreement (`d:`), span version (`s:`) or relation version (`r:`) key
 * in gold's `rejected` map — auto-merge then never writes it — optionally removing the gold spans that
 * answer it; `unreject` takes a key back out.
 */
import {
  alignLayers,
  type CurationDecisionBody,
  rejectedOf,
  removeRelation,
  removeSpan,
  type Span,
  spanKey,
} from "@gloss/shared";
import type * as Y from "yjs";
import { badRequest, conflict, notFound } from "../../errors";
import { auditEntry, type DecisionEnv, type DecisionOutcome, emptyOutcome } from "./decisionEnv";
import { type GoldChange, readGold } from "./gold";

export function reject(
  env: DecisionEnv,
  doc: Y.Doc,
  body: Extract<CurationDecisionBody, { action: "reject" }>,
): GoldChange<DecisionOutcome> {
  const gold = readGold(doc);
  const al = alignLayers(env.layers, gold);
  const out = emptyOutcome();
  const removeSpans: Span[] = [];
  const removeRelations: string[] = [];
  let details: Record<string, unknown>;
  if (body.key.startsWith("d:")) {
    const d = al.sites.flatMap((s) => s.disagreements).find((x) => x.key === body.key);
    if (!d)
      throw conflict(
        `No disagreement ${body.key} on this document now: the annotators' versions changed; reload`,
      );
    if (body.removeGold) removeSpans.push(...gold.spans.filter((s) => d.goldSpanIds.includes(s.id)));
    details = { key: d.key, kinds: d.kinds, candidates: d.candidates };
  } else if (body.key.startsWith("s:")) {
    const c = al.sites.flatMap((s) => s.candidates).find((x) => x.key === body.key);
    const inGold = gold.spans.filter((s) => spanKey(s) === body.key);
    if (!c && inGold.length === 0) throw conflict(`No span version ${body.key} on this document`);
    if (body.removeGold) removeSpans.push(...inGold);
    details = { key: body.key, annotators: c?.supporters.map((s) => s.userId) ?? [] };
  } else if (body.key.startsWith("r:")) {
    const r = al.relations.find((x) => x.key === body.key);
    if (!r) throw conflict(`No relation version ${body.key} on this document`);
    if (body.removeGold) removeRelations.push(...r.goldRelationIds);
    details = { key: body.key, annotators: r.supporters.map((s) => s.userId) };
  } else {
    throw badRequest("key: expected a disagreement (d:…), span (s:…) or relation (r:…) key", { path: "key" });
  }
  out.rejected.push(body.key);
  for (const s of removeSpans) {
    out.removed.spans.push(s.id);
    if (!out.rejected.includes(spanKey(s))) out.rejected.push(spanKey(s));
  }
  out.removed.relations.push(...removeRelations);
  return {
    audit: [auditEntry(env, "gold.reject", "", { ...details, removed: out.removed })],
    apply: (d) => {
      const rejected = rejectedOf(d);
      for (const k of out.rejected) rejected.set(k, { by: env.access.user.id, at: env.now });
      for (const s of removeSpans) removeSpan(d, s.id);
      for (const id of removeRelations) removeRelation(d, id);
    },
    result: out,
  };
}

export function unreject(env: DecisionEnv, doc: Y.Doc, key: string): GoldChange<DecisionOutcome> {
  const entry = readGold(doc).rejectedEntries.find((e) => e.key === key);
  if (!entry) throw notFound(`Key ${key} is not rejected on this document`);
  const out = emptyOutcome();
  out.rejected.push(key);
  return {
    audit: [auditEntry(env, "gold.unreject", "", { key, rejectedBy: entry.by, rejectedAt: entry.at })],
    apply: (d) => rejectedOf(d).delete(key),
    result: out,
  };
}
