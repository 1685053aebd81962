/** `/documents/:id/layers/:layer/spans`: spans of a live layer, written through its Y.Doc. */
import {
  addSpan,
  getSpan,
  LayerValidationError,
  listSpans,
  removeSpan,
  SpanBody,
  SpanPatchBody,
  updateSpan,
} from "@gloss/shared";
import { Hono } from "hono";
import type { AppEnv, Deps } from "../../context";
import { notFound } from "../../errors";
import { fieldError, openLayer, REST_ORIGIN } from "./access";
import { inboundOffset, resolveLabel, toSpanDto } from "./dto";

/** Runs a layer write, turning the layer model's validation errors into a 400 naming the field. */
export async function validated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof LayerValidationError) throw fieldError(err.field, err.message);
    throw err;
  }
}

export function spanRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const base = "/documents/:id/layers/:layer/spans";

  app.get(base, async (c) => {
    const layer = openLayer(deps, c, "read");
    const spans = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => listSpans(doc));
    return c.json({ spans: spans.flatMap((s) => toSpanDto(layer, s) ?? []) });
  });

  app.get(`${base}/:spanId`, async (c) => {
    const layer = openLayer(deps, c, "read");
    const id = c.req.param("spanId");
    const span = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => getSpan(doc, id));
    const dto = span && toSpanDto(layer, span);
    if (!dto) throw notFound(`No span ${id} in layer ${layer.layer}`);
    return c.json(dto);
  });

  app.post(base, async (c) => {
    const layer = openLayer(deps, c, "write");
    const body = SpanBody.parse(await c.req.json());
    if (body.start >= body.end)
      throw fieldError("start", `start ${body.start} must be before end ${body.end}`);
    const start = inboundOffset(layer, body.start, "start");
    const end = inboundOffset(layer, body.end, "end");
    const label = resolveLabel(layer, body.label);
    const span = await validated(() =>
      deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
        addSpan(doc, { start, end, label, author: layer.user.id, note: body.note }, layer.ctx, REST_ORIGIN),
      ),
    );
    return c.json(toSpanDto(layer, span), 201);
  });

  app.patch(`${base}/:spanId`, async (c) => {
    const layer = openLayer(deps, c, "write");
    const id = c.req.param("spanId");
    const body = SpanPatchBody.parse(await c.req.json());
    const patch = {
      start: body.start === undefined ? undefined : inboundOffset(layer, body.start, "start"),
      end: body.end === undefined ? undefined : inboundOffset(layer, body.end, "end"),
      label: body.label === undefined ? undefined : resolveLabel(layer, body.label),
      note: body.note,
    };
    const span = await validated(() =>
      deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
        updateSpan(doc, id, patch, layer.ctx, REST_ORIGIN),
      ),
    );
    if (!span) throw notFound(`No span ${id} in layer ${layer.layer}`);
    return c.json(toSpanDto(layer, span));
  });

  app.delete(`${base}/:spanId`, async (c) => {
    const layer = openLayer(deps, c, "write");
    const id = c.req.param("spanId");
    const removed = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
      removeSpan(doc, id, REST_ORIGIN),
    );
    if (!removed) throw notFound(`No span ${id} in layer ${layer.layer}`);
    return c.body(null, 204);
  });

  return app;
}
