/**
 * Curator decisions on one document's gold layer (POST /documents/:id/curation/decisions): accept an
 * annotator's span, write an edited one, reject a disagreement, remove a gold span, and the same for
 * relations. Each is decided from the live gold state and written with its audit row in one step
 * (gold.ts `goldChange`). A removal or a `replaces` records the removed version's key in
 * gold's `rejected` map so auto-merge never brings it back; writing a version clears its own key and the
 * keys of the disagreements it answers (the curator changed their mind).
 */
import {
  type AnnotatorLayer,
  addSpan,
  alignLayers,
  type CurationDecisionBody,
  type CurationDecisionResultDto,
  getSpan,
  goldAnswers,
  LayerValidationError,
  listRelations,
  type NewSpan,
  newId,
  rejectedOf,
  relationsOf,
  removeSpan,
  type Span,
  type SpanProvenance,
  spanKey,
  spanSignature,
  spansOf,
  updateSpan,
  validateSpan,
} from "@gloss/shared";
import type * as Y from "yjs";
import type { DocumentAccess } from "../../auth/access";
import { layerContext } from "../../collab/layerContext";
import type { Deps } from "../../context";
import { call, type Gen, type Store } from "../../db/store";
import { badRequest, conflict, notFound } from "../../errors";
import { auditEntry, type DecisionEnv, type DecisionOutcome, emptyOutcome } from "./decisionEnv";
import { type DtoContext, relationDto, spanDto } from "./dto";
import { type GoldChange, goldChange, readGold } from "./gold";
import { annotatorLayers, projectedSpan } from "./projection";
import { reject, unreject } from "./rejectDecisions";
import { acceptRelation, removeRelationDecision } from "./relationDecisions";
import { alreadyDecided, checkExpected, competingSpans } from "./siteCheck";

/** Applies one curator decision to the document's gold layer; returns the response body. */
export async function applyDecision(
  store: Store,
  deps: Pick<Deps, "collab">,
  access: DocumentAccess,
  dto: DtoContext,
  body: CurationDecisionBody,
): Promise<CurationDecisionResultDto> {
  const documentId = access.document.id;
  const layers = (await call(store, annotatorLayers, [documentId])).get(documentId)?.layers ?? [];
  const env: DecisionEnv = { store, access, layers, dto, now: Date.now() };
  const decide = function* (doc: Y.Doc): Gen<GoldChange<DecisionOutcome>> {
    // compare-and-set: checked in the same step of the gold room that writes (see siteCheck.ts)
    if ("expected" in body && body.expected) yield* checkExpected(env, doc, body.expected);
    switch (body.action) {
      case "accept":
        return yield* acceptSpan(env, doc, body);
      case "edit":
        return yield* editSpan(env, doc, body);
      case "reject":
        return reject(env, doc, body);
      case "unreject":
        return unreject(env, doc, body.key);
      case "remove":
        return removeGoldSpan(env, doc, body.goldSpanId);
      case "accept-relation":
        return yield* acceptRelation(env, doc, body);
      case "remove-relation":
        return removeRelationDecision(env, doc, body.goldRelationId);
    }
  };
  const { result, status } = await goldChange(store, deps, access, decide);
  return {
    action: body.action,
    span: result.span ? spanDto(env.dto, result.span) : null,
    relation: result.relation ? relationDto(result.relation) : null,
    removed: result.removed,
    rejected: result.rejected,
    status,
  };
}

const annotatorsWith = (layers: readonly AnnotatorLayer[], sig: string) =>
  layers.filter((l) => l.spans.some((s) => spanSignature(s) === sig)).map((l) => l.userId);

/** What accept and edit write, plus how they treat the gold versions already there. */
interface VersionInput {
  start: number;
  end: number;
  label: number;
  note?: string;
  /** The gold span this version replaces (named by the curator). */
  replaces?: string;
  /** `replace: true`: the competing gold versions are replaced too (an explicit override). */
  replace?: boolean;
  /** The decision carried `expected` (already checked): the curator saw what gold holds there. */
  guarded: boolean;
}

/**
 * Writes a new gold version: validates it, removes the spans it replaces (recording those versions as
 * rejected), and clears the rejections it overrides. Shared by accept and edit. Without `expected`, a
 * competing gold version it does not replace is a 409 `already_decided` (two versions of one
 * disagreement never stand side by side unless a curator who saw both wants it).
 */
function* writeVersion(
  env: DecisionEnv,
  doc: Y.Doc,
  input: VersionInput,
  via: SpanProvenance["via"],
  action: string,
  details: Record<string, unknown>,
): Gen<GoldChange<DecisionOutcome>> {
  const ctx = (yield* layerContext(env.store, env.access.document, env.access.project)).ctx;
  try {
    validateSpan(input, ctx);
  } catch (e) {
    if (e instanceof LayerValidationError) throw badRequest(`${e.field}: ${e.message}`, { path: e.field });
    throw e;
  }
  const gold = readGold(doc);
  const sig = spanSignature(input);
  const named = input.replaces ? getSpan(doc, input.replaces) : null;
  // an override tolerates a replaced span that is already gone (someone else replaced it)
  if (input.replaces && !named && !input.replace) throw notFound(`No gold span ${input.replaces}`);
  const same = gold.spans.find((s) => spanSignature(s) === sig && s.id !== input.replaces);
  const out = emptyOutcome();
  if (same && !named) {
    out.span = same; // already in gold: nothing to decide
    return { audit: [], apply: () => {}, result: out };
  }
  if (same)
    throw conflict(
      `Gold already has this span (${same.id}); remove it instead of replacing ${input.replaces}`,
      { goldSpanId: same.id },
    );
  const competing = competingSpans(gold.spans, input, goldAnswers).filter((g) => g.id !== named?.id);
  if (competing.length > 0 && !input.replace && !input.guarded)
    throw yield* alreadyDecided(env, doc, {
      start: Math.min(input.start, ...competing.map((g) => g.start)),
      end: Math.max(input.end, ...competing.map((g) => g.end)),
    });

  const provenance: SpanProvenance = {
    annotators: annotatorsWith(env.layers, sig),
    decidedBy: env.access.user.id,
    decidedAt: env.now,
    via,
  };
  // same version as the span it replaces (e.g. only the note changed): update in place, keep the id
  const inPlace = named !== null && spanSignature(named) === sig;
  const id = inPlace ? named.id : freshSpanId(doc);
  const replaced: Span[] = [...(named && !inPlace ? [named] : []), ...(input.replace ? competing : [])];
  const replacedIds = new Set(replaced.map((r) => r.id));
  // clear what this version overrides: its own rejection and the rejected disagreements it answers
  const al = alignLayers(env.layers, gold);
  const unrejected = [spanKey(input)];
  for (const site of al.sites)
    for (const d of site.disagreements)
      if (
        d.resolution === "rejected" &&
        site.candidates.some((c) => d.candidates.includes(c.key) && goldAnswers(input, c))
      )
        unrejected.push(d.key);
  const replacedKeys = [...new Set(replaced.map((r) => spanKey(r)))];
  for (const r of replaced) out.removed.spans.push(r.id);
  out.rejected.push(...replacedKeys);
  const by = env.access.user.id;
  const first = named ?? replaced[0] ?? null;
  return {
    audit: [
      auditEntry(env, action, `/span:${id}`, {
        ...details,
        key: spanKey(input),
        span: { start: input.start, end: input.end, label: input.label },
        provenance,
        replaced: first ? { id: first.id, key: spanKey(first) } : null,
        ...(input.replace ? { override: replaced.map((r) => ({ id: r.id, key: spanKey(r) })) } : {}),
      }),
    ],
    apply: (d) => {
      if (inPlace) {
        out.span = updateSpan(d, id, { note: input.note ?? "", provenance }, ctx);
      }
      // relations of the replaced spans move to their replacement (removeSpan would drop them)
      const moved = listRelations(d).filter((r) => replacedIds.has(r.from) || replacedIds.has(r.to));
      for (const r of replaced) removeSpan(d, r.id);
      if (!inPlace) {
        const span: NewSpan = {
          id,
          start: input.start,
          end: input.end,
          label: input.label,
          author: by,
          provenance,
        };
        if (input.note) span.note = input.note;
        out.span = addSpan(d, { ...span, createdAt: env.now }, ctx);
      }
      for (const { id: relationId, ...r } of moved) {
        const from = replacedIds.has(r.from) ? id : r.from;
        const to = replacedIds.has(r.to) ? id : r.to;
        if (from !== to) relationsOf(d).set(relationId, { ...r, from, to });
      }
      const rejected = rejectedOf(d);
      for (const k of unrejected) rejected.delete(k);
      for (const k of replacedKeys) rejected.set(k, { by, at: env.now });
    },
    result: out,
  };
}

/** A new span id not used in this layer (ids are random; the loop only guards a collision). */
function freshSpanId(doc: Y.Doc): string {
  let id = newId();
  while (spansOf(doc).has(id)) id = newId();
  return id;
}

function* acceptSpan(
  env: DecisionEnv,
  doc: Y.Doc,
  body: Extract<CurationDecisionBody, { action: "accept" }>,
): Gen<GoldChange<DecisionOutcome>> {
  const row = yield* projectedSpan(env.store, env.access.document.id, body.layer, body.spanId);
  if (!row) throw notFound(`No span ${body.spanId} in layer ${body.layer}`);
  return yield* writeVersion(
    env,
    doc,
    {
      start: row.start,
      end: row.end,
      label: row.labelId,
      note: row.note ?? undefined,
      replaces: body.replaces,
      replace: body.replace,
      guarded: body.expected !== undefined,
    },
    "accept",
    "gold.accept",
    { from: { layer: body.layer, spanId: body.spanId } },
  );
}

function* editSpan(
  env: DecisionEnv,
  doc: Y.Doc,
  body: Extract<CurationDecisionBody, { action: "edit" }>,
): Gen<GoldChange<DecisionOutcome>> {
  const start = env.dto.offsets.in(body.start, "start");
  const end = env.dto.offsets.in(body.end, "end");
  const label = resolveLabel(env.dto.labels, body.label);
  return yield* writeVersion(
    env,
    doc,
    {
      start,
      end,
      label,
      note: body.note,
      replaces: body.replaces,
      replace: body.replace,
      guarded: body.expected !== undefined,
    },
    "edit",
    "gold.edit",
    {},
  );
}

/** A label id or name of the project → its id; a 400 naming the label otherwise. */
function resolveLabel(labels: Map<number, string>, label: number | string): number {
  if (typeof label === "number") {
    if (labels.has(label)) return label;
    throw badRequest(`label: unknown label id ${label}`, { path: "label" });
  }
  for (const [id, name] of labels) if (name === label) return id;
  const asId = /^[0-9]+$/.test(label) ? Number(label) : Number.NaN;
  if (labels.has(asId)) return asId;
  throw badRequest(`label: unknown label ${JSON.stringify(label)}`, { path: "label" });
}

function removeGoldSpan(env: DecisionEnv, doc: Y.Doc, goldSpanId: string): GoldChange<DecisionOutcome> {
  const span = getSpan(doc, goldSpanId);
  if (!span) throw notFound(`No gold span ${goldSpanId}`);
  const relations = readGold(doc).relations.filter((r) => r.from === span.id || r.to === span.id);
  const out = emptyOutcome();
  out.removed.spans.push(span.id);
  out.removed.relations.push(...relations.map((r) => r.id));
  out.rejected.push(spanKey(span));
  return {
    audit: [
      auditEntry(env, "gold.remove", `/span:${span.id}`, {
        key: spanKey(span),
        span: { start: span.start, end: span.end, label: span.label },
        provenance: span.provenance ?? null,
        removedRelations: out.removed.relations,
      }),
    ],
    apply: (d) => {
      removeSpan(d, span.id);
      rejectedOf(d).set(spanKey(span), { by: env.access.user.id, at: env.now });
    },
    result: out,
  };
}
