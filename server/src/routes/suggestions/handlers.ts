/** What the suggestion routes do, once the route has validated the request. */
import {
  type AcceptAllBody,
  addSpan,
  listSpans,
  type OffsetUnit,
  type Span,
  type SpanDto,
  type SpanProvenance,
  type StringMatchConfig,
  type SuggestionDto,
  type SuggestionKey,
  type SuggestionListDto,
  spansOf,
  type UserDto,
  userLayer,
} from "@gloss/shared";
import { documentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { conflict, forbidden, notFound } from "../../errors";
import { listLabels } from "../../services/labels";
import type { ExternalRecommenders } from "../../services/suggestions/external";
import {
  type CallerDocument,
  callerSuggestions,
  type Suggestion,
} from "../../services/suggestions/forCaller";
import { getRecommender, rejectSuggestion } from "../../services/suggestions/recommenders";
import { stringMatchQuality } from "../../services/suggestions/training";
import { fieldError, type OpenLayer, openLayer, REST_ORIGIN } from "../layers/access";
import { inboundOffset, resolveLabel, toSpanDto } from "../layers/dto";
import { validated } from "../layers/spans";

export function suggestionHandlers(deps: Deps, external: ExternalRecommenders) {
  const { store, collab } = deps;

  /** The caller's own layer of the document (403 when their role does not annotate it). */
  async function ownLayer(
    user: UserDto | null,
    documentId: number,
    unit: OffsetUnit,
    need: "read" | "write",
  ) {
    const access = await call(store, documentAccess, user, documentId);
    const layerName = access.project.mode === "shared" ? "shared" : userLayer(access.user.id);
    const layer = await call(
      store,
      openLayer,
      { user, params: { id: documentId, layer: layerName }, unit },
      need,
    );
    if (layer.grant.rolePermission !== "write")
      throw forbidden("Suggestions are made for the layer you annotate, and you annotate none here");
    return layer;
  }

  async function suggestionsOf(layer: OpenLayer) {
    const spans = await collab.withDoc(layer.documentId, layer.layer, (doc) => listSpans(doc));
    const doc: CallerDocument = {
      projectId: layer.grant.projectId,
      mode: layer.grant.access.project.mode,
      documentId: layer.documentId,
      text: layer.text,
      userId: layer.user.id,
      ownLayer: layer.layer,
      labels: layer.labelNames,
      ownOffsets: new Set(spans.map((s) => `${s.start}:${s.end}`)),
    };
    return callerSuggestions(store, external, doc);
  }

  const toDto = (layer: OpenLayer, s: Suggestion): SuggestionDto => ({
    recommender: s.recommender,
    model_version: s.modelVersion,
    start: layer.unit === "utf16" ? s.start : layer.offsets.toCodePoint(s.start),
    end: layer.unit === "utf16" ? s.end : layer.offsets.toCodePoint(s.end),
    text: layer.text.slice(s.start, s.end),
    label: s.label,
    labelName: layer.labelNames.get(s.label) ?? "",
    score: s.score,
  });

  /** The request's suggestion key in the layer's units. */
  function keyOf(layer: OpenLayer, body: SuggestionKey) {
    if (body.start >= body.end)
      throw fieldError("start", `start ${body.start} must be before end ${body.end}`);
    return {
      recommender: body.recommender,
      start: inboundOffset(layer, body.start, "start"),
      end: inboundOffset(layer, body.end, "end"),
      label: resolveLabel(layer, body.label),
    };
  }

  /**
   * Writes suggestions into the caller's layer in one transaction of its live room, each with its provenance;
   * one already there at the same offsets and label is skipped (a double accept, or two recommenders).
   */
  async function write(layer: OpenLayer, chosen: Suggestion[]): Promise<SpanDto[]> {
    const decidedAt = Date.now();
    const spans = await validated(() =>
      collab.withDoc(layer.documentId, layer.layer, (doc) => {
        const taken = new Set([...spansOf(doc).values()].map((s) => `${s.start}:${s.end}:${s.label}`));
        const written: Span[] = [];
        doc.transact(() => {
          for (const s of chosen) {
            const key = `${s.start}:${s.end}:${s.label}`;
            if (taken.has(key)) continue;
            taken.add(key);
            const provenance: SpanProvenance = {
              annotators: [],
              decidedBy: layer.user.id,
              decidedAt,
              via: "suggestion",
              recommender: s.recommender,
              model_version: s.modelVersion,
              score: s.score,
            };
            const span = { start: s.start, end: s.end, label: s.label, author: layer.user.id, provenance };
            written.push(addSpan(doc, span, layer.ctx, REST_ORIGIN));
          }
        }, REST_ORIGIN);
        return written;
      }),
    );
    return spans.flatMap((s) => toSpanDto(layer, s) ?? []);
  }

  return {
    async list(user: UserDto | null, documentId: number, unit: OffsetUnit): Promise<SuggestionListDto> {
      const layer = await ownLayer(user, documentId, unit, "read");
      const found = await suggestionsOf(layer);
      return { ...found, suggestions: found.suggestions.map((s) => toDto(layer, s)) };
    },

    async accept(
      user: UserDto | null,
      documentId: number,
      unit: OffsetUnit,
      body: SuggestionKey,
    ): Promise<SpanDto> {
      const layer = await ownLayer(user, documentId, unit, "write");
      const key = keyOf(layer, body);
      // the score and model version come from the recommender's current answer, never from the request
      const found = (await suggestionsOf(layer)).suggestions.find(
        (s) =>
          s.recommender === key.recommender &&
          s.start === key.start &&
          s.end === key.end &&
          s.label === key.label,
      );
      if (!found) throw notFound("No such suggestion for you (rejected, already accepted, or never made)");
      const [span] = await write(layer, [found]);
      if (!span) throw conflict("The span is already in your layer");
      return span;
    },

    async reject(
      user: UserDto | null,
      documentId: number,
      unit: OffsetUnit,
      body: SuggestionKey,
    ): Promise<void> {
      const layer = await ownLayer(user, documentId, unit, "read");
      const key = keyOf(layer, body);
      await call(store, getRecommender, layer.grant.projectId, key.recommender);
      await call(store, rejectSuggestion, {
        documentId,
        userId: layer.user.id,
        recommenderId: key.recommender,
        start: key.start,
        end: key.end,
        labelId: key.label,
      });
    },

    async acceptAll(user: UserDto | null, documentId: number, unit: OffsetUnit, body: AcceptAllBody) {
      const layer = await ownLayer(user, documentId, unit, "write");
      const label = resolveLabel(layer, body.label);
      if (body.recommender !== undefined)
        await call(store, getRecommender, layer.grant.projectId, body.recommender);
      const chosen = (await suggestionsOf(layer)).suggestions
        .filter((s) => s.label === label && s.score >= body.threshold)
        .filter((s) => body.recommender === undefined || s.recommender === body.recommender)
        // the best-scored first: of two recommenders proposing the same span, its provenance names the surer
        .sort((a, b) => b.score - a.score);
      return write(layer, chosen);
    },

    async labelsOf(projectId: number) {
      return (await call(store, listLabels, projectId)).map((l) => ({ id: l.id, name: l.name }));
    },

    async quality(projectId: number, recommenderId: number) {
      const rec = await call(store, getRecommender, projectId, recommenderId);
      if (rec.kind !== "string-match")
        throw conflict("Quality on held-out documents is measured for the built-in recommenders only");
      await collab.flush();
      const labels = new Map((await this.labelsOf(projectId)).map((l) => [l.id, l.name]));
      return call(store, stringMatchQuality, projectId, rec.id, rec.config as StringMatchConfig, labels);
    },
  };
}
