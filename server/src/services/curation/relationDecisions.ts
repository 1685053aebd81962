/**
 * Relation decisions: accept an annotator's relation into gold (both ends must already be in gold, as
 * spans with the same start, end and label) or remove a gold relation (its key is recorded as rejected,
 * so auto-merge does not bring it back).
 */
import {
  addRelation,
  type CurationDecisionBody,
  LayerValidationError,
  listRelations,
  rejectedOf,
  relationKey,
  removeRelation,
  spanSignature,
  validateRelation,
} from "@gloss/shared";
import type * as Y from "yjs";
import { layerContext } from "../../collab/layerContext";
import type { Gen } from "../../db/store";
import { badRequest, conflict, notFound } from "../../errors";
import { auditEntry, type DecisionEnv, type DecisionOutcome, emptyOutcome } from "./decisionEnv";
import { type GoldChange, readGold } from "./gold";
import { projectedRelation, projectedSpan } from "./projection";

export function* acceptRelation(
  env: DecisionEnv,
  doc: Y.Doc,
  body: Extract<CurationDecisionBody, { action: "accept-relation" }>,
): Gen<GoldChange<DecisionOutcome>> {
  const store = env.store;
  const documentId = env.access.document.id;
  const row = yield* projectedRelation(store, documentId, body.layer, body.relationId);
  if (!row) throw notFound(`No relation ${body.relationId} in layer ${body.layer}`);
  const from = yield* projectedSpan(store, documentId, body.layer, row.fromSpan);
  const to = yield* projectedSpan(store, documentId, body.layer, row.toSpan);
  if (!from || !to)
    throw conflict(`Relation ${body.relationId} has an end that no longer exists in ${body.layer}`);
  const fromSig = spanSignature({ start: from.start, end: from.end, label: from.labelId });
  const toSig = spanSignature({ start: to.start, end: to.end, label: to.labelId });
  const gold = readGold(doc);
  const goldFrom = gold.spans.find((s) => spanSignature(s) === fromSig);
  const goldTo = gold.spans.find((s) => spanSignature(s) === toSig);
  for (const [end, span, g] of [
    ["from", from, goldFrom],
    ["to", to, goldTo],
  ] as const) {
    if (!g) {
      const text = env.access.document.text.slice(span.start, span.end);
      throw conflict(`Accept the relation's ${end} span ${JSON.stringify(text)} into gold first`, {
        path: end,
        layer: body.layer,
        spanId: span.spanId,
      });
    }
  }
  const key = relationKey(fromSig, toSig, row.type);
  const out = emptyOutcome();
  const existing = gold.relations.find(
    (r) => r.from === goldFrom!.id && r.to === goldTo!.id && r.type === row.type,
  );
  if (existing) {
    out.relation = existing;
    return { audit: [], apply: () => {}, result: out };
  }
  const ctx = (yield* layerContext(store, env.access.document, env.access.project)).ctx;
  try {
    validateRelation(doc, { from: goldFrom!.id, to: goldTo!.id, type: row.type }, ctx);
  } catch (e) {
    if (e instanceof LayerValidationError) throw badRequest(`${e.field}: ${e.message}`, { path: e.field });
    throw e;
  }
  const annotators = env.layers
    .filter((l) =>
      (l.relations ?? []).some((r) => {
        const f = l.spans.find((s) => s.id === r.from);
        const t = l.spans.find((s) => s.id === r.to);
        return f && t && relationKey(spanSignature(f), spanSignature(t), r.type) === key;
      }),
    )
    .map((l) => l.userId);
  return {
    audit: [
      auditEntry(env, "gold.accept-relation", "", {
        key,
        from: { layer: body.layer, relationId: body.relationId },
        goldFrom: goldFrom!.id,
        goldTo: goldTo!.id,
        type: row.type,
        provenance: { annotators, decidedBy: env.access.user.id, decidedAt: env.now, via: "accept" },
      }),
    ],
    apply: (d) => {
      out.relation = addRelation(
        d,
        {
          from: goldFrom!.id,
          to: goldTo!.id,
          type: row.type,
          author: env.access.user.id,
          createdAt: env.now,
        },
        ctx,
      );
      rejectedOf(d).delete(key);
    },
    result: out,
  };
}

export function removeRelationDecision(
  env: DecisionEnv,
  doc: Y.Doc,
  goldRelationId: string,
): GoldChange<DecisionOutcome> {
  const rel = listRelations(doc).find((r) => r.id === goldRelationId);
  if (!rel) throw notFound(`No gold relation ${goldRelationId}`);
  const spans = readGold(doc).spans;
  const from = spans.find((s) => s.id === rel.from);
  const to = spans.find((s) => s.id === rel.to);
  const key = from && to ? relationKey(spanSignature(from), spanSignature(to), rel.type) : null;
  const out = emptyOutcome();
  out.removed.relations.push(rel.id);
  if (key) out.rejected.push(key);
  return {
    audit: [auditEntry(env, "gold.remove-relation", `/relation:${rel.id}`, { key, relation: rel })],
    apply: (d) => {
      removeRelation(d, rel.id);
      if (key) rejectedOf(d).set(key, { by: env.access.user.id, at: env.now });
    },
    result: out,
  };
}
