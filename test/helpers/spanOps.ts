/**
 * Random span operations for the convergence properties (one server, several servers): adds, boundary
 * updates and removals by a client, a client going offline or back, and pauses that let the sockets make
 * progress; and the one way each is applied to a client's document.
 */
import { addSpan, type LayerContext, listSpans, removeSpan, updateSpan } from "@gloss/shared";
import fc from "fast-check";
import type { CollabClient } from "./collab";

export type SpanOp =
  | { kind: "add"; client: number; start: number; len: number; label: number }
  | { kind: "update"; client: number; pick: number; start: number; len: number }
  | { kind: "remove"; client: number; pick: number }
  | { kind: "toggle"; client: number }
  | { kind: "pause" };

/** Operations by `clients` clients over a text of `textLength` code units. */
export function spanOps(clients: number, textLength: number): fc.Arbitrary<SpanOp> {
  const client = fc.integer({ min: 0, max: clients - 1 });
  const start = fc.integer({ min: 0, max: textLength - 1 });
  const len = fc.integer({ min: 1, max: 12 });
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant("add" as const), client, start, len, label: fc.nat() }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant("update" as const), client, pick: fc.nat(), start, len }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), client, pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("toggle" as const), client }) },
    { weight: 2, arbitrary: fc.constant({ kind: "pause" as const }) },
  );
}

/**
 * Applies `op` to its client (`author` of its spans; `labelIds` to pick from); a pause awaits `pause()`.
 * Updates and removals of a client without spans do nothing.
 */
export async function applySpanOp(
  op: SpanOp,
  clients: CollabClient[],
  opts: {
    ctx: LayerContext;
    labelIds: number[];
    authorOf: (client: number) => number;
    pause: () => Promise<unknown>;
  },
): Promise<void> {
  if (op.kind === "pause") {
    await opts.pause();
    return;
  }
  const c = clients[op.client]!;
  const spans = listSpans(c.doc);
  const text = opts.ctx.text;
  if (op.kind === "add") {
    const end = Math.min(op.start + op.len, text.length);
    const label = opts.labelIds[op.label % opts.labelIds.length]!;
    addSpan(c.doc, { start: op.start, end, label, author: opts.authorOf(op.client) }, opts.ctx);
  } else if (op.kind === "update" && spans.length > 0) {
    const end = Math.min(op.start + op.len, text.length);
    updateSpan(c.doc, spans[op.pick % spans.length]!.id, { start: op.start, end }, opts.ctx);
  } else if (op.kind === "remove" && spans.length > 0) {
    removeSpan(c.doc, spans[op.pick % spans.length]!.id);
  } else if (op.kind === "toggle") {
    if (c.provider.shouldConnect) c.provider.disconnect();
    else c.provider.connect();
  }
}
