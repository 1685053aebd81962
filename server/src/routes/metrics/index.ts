/**
 * GET /metrics: the collaboration server's figures in the Prometheus text format, for operators (issue 17:
 * /api/health tells anonymous callers only that the server is up). An instance admin (session or token) or
 * a scraper with `Authorization: Bearer $GLOSS_METRICS_TOKEN` may read them.
 */
import { timingSafeEqual } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import type { CollabMetrics } from "../../collab";
import type { Deps } from "../../context";
import { forbidden, unauthorized } from "../../errors";
import { createRouter, errors } from "../openapi";

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "getMetrics",
  tags: ["health"],
  summary: "The collaboration server's figures (Prometheus text format): admins, or the GLOSS_METRICS_TOKEN",
  responses: {
    200: {
      description: "Prometheus text exposition format 0.0.4",
      content: { "text/plain": { schema: z.string() } },
    },
    401: errors[401],
    403: errors[403],
  },
});

/** One metric: HELP, TYPE and its value (lines of the text exposition format). */
const metric = (name: string, type: "gauge" | "counter", help: string, value: number) =>
  `# HELP gloss_${name} ${help}\n# TYPE gloss_${name} ${type}\ngloss_${name} ${value}\n`;

/** The figures of `collab.metrics()` in the Prometheus text format. */
export function prometheusText(m: CollabMetrics): string {
  return [
    metric("rooms", "gauge", "Rooms (document layers) loaded.", m.rooms),
    metric("connections", "gauge", "Collaboration sockets open.", m.connections),
    metric("live_docs", "gauge", "Y.Docs alive.", m.liveDocs),
    metric("timers", "gauge", "Timers scheduled by the collaboration server.", m.timers),
    metric("pending_writes", "gauge", "Updates queued and not yet committed.", m.pendingWrites),
    metric("updates_persisted_total", "counter", "Updates committed to the log since start.", m.persisted),
    metric("sockets_refused_total", "counter", "Sockets refused at the upgrade.", m.refused),
    metric("frames_malformed_total", "counter", "Sockets closed for a malformed frame (4400).", m.malformed),
    metric(
      "updates_invalid_total",
      "counter",
      "Client updates refused by the layer model (4422).",
      m.invalidUpdates,
    ),
    metric(
      "updates_read_only_dropped_total",
      "counter",
      "Updates from read-only sockets dropped.",
      m.readOnlyDropped,
    ),
    metric("slow_consumers_total", "counter", "Sockets closed for not reading (4413).", m.slowConsumers),
    metric("awareness_refused_total", "counter", "Awareness over its bounds.", m.awarenessRefused),
    metric(
      "rights_revoked_total",
      "counter",
      "Sockets closed or narrowed by a rights change.",
      m.rightsRevoked,
    ),
    metric(
      "external_updates_total",
      "counter",
      "Updates other processes appended, applied live.",
      m.externalUpdates,
    ),
    metric("bus_published_total", "counter", "Messages published to the other servers.", m.bus.published),
    metric("bus_received_total", "counter", "Messages received from the other servers.", m.bus.received),
    metric("bus_refused_total", "counter", "Messages from the other servers refused.", m.bus.refused),
  ].join("");
}

/** Constant-time comparison of a presented secret with the configured one. */
function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function metricsRoutes({ collab, config }: Deps) {
  const app = createRouter();
  app.openapi(metricsRoute, (c) => {
    const auth = c.req.header("authorization");
    const scraper =
      !!config.metricsToken &&
      !!auth?.startsWith("Bearer ") &&
      sameSecret(auth.slice(7).trim(), config.metricsToken);
    if (!scraper) {
      const user = c.get("user");
      if (!user) throw unauthorized();
      if (!user.isAdmin)
        throw forbidden("Only an administrator (or the GLOSS_METRICS_TOKEN) may read the metrics");
    }
    c.header("Cache-Control", "no-store");
    return c.text(prometheusText(collab.metrics()), 200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
  return app;
}
