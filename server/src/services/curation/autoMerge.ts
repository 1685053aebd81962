/**
 * POST /documents/:id/curation/auto-merge: writes every agreed annotator span (and relation) that gold
 * lacks into gold, with provenance { annotators, decidedBy: null, via: "auto-merge" }. The plan is made
 * from the live gold doc inside the same synchronous step that applies it (shared/curation/merge.ts lists
 * the skip rules), so re-running is idempotent and a rejected version never comes back.
 */
import {
  type AutoMergeBody,
  type AutoMergeResultDto,
  addRelation,
  addSpan,
  LayerValidationError,
  newId,
  planAutoMerge,
  type Relation,
  type Span,
  type SpanProvenance,
  spanSignature,
  spansOf,
  validateSpan,
} from "@gloss/shared";
import type { DocumentAccess } from "../../auth/access";
import { layerContext } from "../../collab/layerContext";
import type { Deps } from "../../context";
import { call, type Store } from "../../db/store";
import { type DtoContext, relationDto, spanDto } from "./dto";
import { goldChange, readGold } from "./gold";
import { annotatorLayers } from "./projection";

export async function autoMerge(
  store: Store,
  deps: Pick<Deps, "collab">,
  access: DocumentAccess,
  body: AutoMergeBody,
  dto: DtoContext,
): Promise<AutoMergeResultDto> {
  const documentId = access.document.id;
  const layers = (await call(store, annotatorLayers, [documentId])).get(documentId)?.layers ?? [];
  const now = Date.now();
  const added: { spans: Span[]; relations: Relation[] } = { spans: [], relations: [] };

  const { result, status } = await goldChange(store, deps, access, function* (doc) {
    const ctx = (yield* layerContext(store, access.document, access.project)).ctx;
    const gold = readGold(doc);
    const plan = planAutoMerge(layers, gold, body);
    const skipped: AutoMergeResultDto["skipped"] = [...plan.skipped];
    const idOf = new Map<string, string>();
    for (const s of gold.spans) if (!idOf.has(spanSignature(s))) idOf.set(spanSignature(s), s.id);

    const spans = plan.spans.filter((s) => {
      try {
        validateSpan(s, ctx); // e.g. a label deleted since the annotator used it
      } catch (e) {
        if (!(e instanceof LayerValidationError)) throw e;
        skipped.push({ key: s.key, reason: "invalid" });
        return false;
      }
      let id = newId();
      while (spansOf(doc).has(id)) id = newId();
      idOf.set(s.signature, id);
      return true;
    });
    const relations = plan.relations.flatMap((r) => {
      const from = idOf.get(r.from);
      const to = idOf.get(r.to);
      const typeOk = !ctx.relationTypes || ctx.relationTypes.has(r.type);
      if (!from || !to || from === to || !typeOk) {
        skipped.push({ key: r.key, reason: "invalid" });
        return [];
      }
      return [{ ...r, fromId: from, toId: to }];
    });

    const provenance = (annotators: number[]): SpanProvenance => ({
      annotators,
      decidedBy: null,
      decidedAt: now,
      via: "auto-merge",
    });
    const changed = spans.length + relations.length > 0;
    return {
      audit: changed
        ? [
            {
              userId: access.user.id,
              projectId: access.project.id,
              action: "gold.auto-merge",
              target: `document:${documentId}`,
              details: {
                required: plan.required,
                annotators: plan.annotators,
                options: body,
                spans: spans.map((s) => ({
                  id: idOf.get(s.signature),
                  key: s.key,
                  provenance: provenance(s.annotators),
                })),
                relations: relations.map((r) => ({ key: r.key, annotators: r.annotators })),
              },
            },
          ]
        : [],
      apply: (d) => {
        for (const s of spans) {
          const id = idOf.get(s.signature)!;
          const input = { id, start: s.start, end: s.end, label: s.label, author: null, createdAt: now };
          added.spans.push(addSpan(d, { ...input, provenance: provenance(s.annotators) }, ctx));
        }
        for (const r of relations) {
          const input = { from: r.fromId, to: r.toId, type: r.type, author: null, createdAt: now };
          added.relations.push(addRelation(d, input, ctx));
        }
      },
      result: { required: plan.required, annotators: plan.annotators, skipped },
    };
  });
  return {
    ...result,
    added: { spans: added.spans.map((s) => spanDto(dto, s)), relations: added.relations.map(relationDto) },
    status,
  };
}
