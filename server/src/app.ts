import fs from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { isAllowedOrigin } from "./auth/origin";
import { resolveUser } from "./auth/sessions";
import type { AppEnv, Deps } from "./context";
import { call } from "./db/store";
import { HttpError } from "./errors";
import { bodyLimits } from "./import/bodyLimit";
import { CLIENT_DIST } from "./paths";
import { readsProjection, rightsScopeOf } from "./requestScope";
import { agreementRoutes } from "./routes/agreement";
import { authRoutes } from "./routes/auth";
import { curationRoutes } from "./routes/curation";
import { DOCS_CSP, mountDocs } from "./routes/docs";
import { documentRoutes } from "./routes/documents";
import { exportRoutes } from "./routes/export";
import { layerRoutes } from "./routes/layers";
import { metricsRoutes } from "./routes/metrics";
import { json, validationHook } from "./routes/openapi";
import { projectRoutes } from "./routes/projects";
import { suggestionRoutes } from "./routes/suggestions";
import { ticketRoutes } from "./routes/tickets";
import { tokenRoutes } from "./routes/tokens";

export type { AppEnv, Deps } from "./context";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "getHealth",
  tags: ["health"],
  summary: "Liveness: the server is up (figures are at GET /api/metrics, for operators)",
  security: [],
  responses: {
    200: json(z.object({ ok: z.literal(true) }), "Up"),
  },
});

/** Builds the HTTP app (API + client) from its dependencies. Listening is index/server's job. */
export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const { store } = deps;

  // Known errors become `{ error: { code, message, details? } }`. A bad request is refused before its
  // handler runs (the routes' validator hook: 400 invalid_input; the JSON reader: 400 invalid_json), so
  // anything else — a ZodError or SyntaxError included, e.g. from a corrupt stored column — is a bug:
  // logged, and a 500.
  app.onError((err, c) => {
    if (err instanceof HttpError) {
      return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status);
    }
    if (err instanceof HTTPException && err.status === 415) {
      return c.json(
        {
          error: {
            code: "unsupported_media_type",
            message: `Unsupported Content-Type ${JSON.stringify(c.req.header("content-type") ?? "")}: send application/json`,
          },
        },
        415,
      );
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ error: { code: "http_error", message: err.message } }, err.status);
    }
    deps.log.error("unhandled error", {
      path: c.req.path,
      method: c.req.method,
      err: String(err?.stack ?? err),
    });
    return c.json({ error: { code: "internal", message: "Internal server error" } }, 500);
  });

  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Frame-Options", "DENY");
    if (c.req.path.startsWith("/api/docs")) {
      c.header("Content-Security-Policy", DOCS_CSP);
    } else if (!c.req.path.startsWith("/api/")) {
      c.header(
        "Content-Security-Policy",
        "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
      );
    }
  });

  // Every request body is bounded while it streams: GLOSS_MAX_BODY_BYTES, the import routes their own limits.
  app.use("/api/*", bodyLimits(deps.config));

  // Who is asking: a session cookie or an API token. Every route decides what that caller may do.
  app.use("/api/*", async (c, next) => {
    const resolved = await call(store, resolveUser, {
      cookie: c.req.header("cookie"),
      authorization: c.req.header("authorization"),
    });
    c.set("user", resolved?.user ?? null);
    c.set("authVia", resolved?.via ?? null);
    c.set("credential", resolved?.credential ?? null);
    // CSRF: a state-changing request that is not token-authenticated must come from our own origin when
    // it carries an Origin header or a cookie (a browser always sends Origin on such requests).
    if (!SAFE_METHODS.has(c.req.method) && resolved?.via !== "token") {
      const origin = c.req.header("origin");
      const hasCookie = !!c.req.header("cookie");
      if ((origin || hasCookie) && !isAllowedOrigin(origin, c.req.header("host"), deps.config)) {
        return c.json({ error: { code: "bad_origin", message: "Cross-origin request refused" } }, 403);
      }
    }
    if (readsProjection(c.req.path)) await deps.collab.flush();
    await next();
    // Rights follow the user live: after a write that may change them, open sockets are decided again.
    if (!SAFE_METHODS.has(c.req.method) && c.res.status < 400) {
      const scope = rightsScopeOf(c.req.path, resolved?.user.id ?? null);
      if (scope) deps.collab.rightsChanged(scope);
    }
  });

  // Anonymous callers learn only that the server is up (issue 17): how many rooms and sockets are open
  // tells an outsider when a team works; operators read it at /api/metrics.
  app.openapi({ ...healthRoute, path: "/api/health" }, (c) => c.json({ ok: true as const }, 200));
  // Each resource's router defines its full paths under /api (one folder per resource).
  for (const routes of [
    authRoutes,
    tokenRoutes,
    ticketRoutes,
    metricsRoutes,
    projectRoutes,
    documentRoutes,
    layerRoutes,
    agreementRoutes,
    curationRoutes,
    exportRoutes,
    suggestionRoutes,
  ]) {
    app.route("/api", routes(deps));
  }
  mountDocs(app);
  app.all("/api/*", (c) =>
    c.json({ error: { code: "not_found", message: `No route ${c.req.method} ${c.req.path}` } }, 404),
  );

  // The built client, with the SPA's index.html for every other GET. Read per request (it is small and
  // cached by the OS) so a rebuild while the server runs never leaves it serving a stale or missing file.
  const indexFile = path.join(CLIENT_DIST, "index.html");
  app.use("/assets/*", serveStatic({ root: path.relative(process.cwd(), CLIENT_DIST) }));
  // A missing build file (an old chunk after a rebuild, a source map not built) is a 404, never the page.
  app.get("/assets/*", (c) => c.text("Not found", 404));
  // The service worker (client/public/sw.js) at the root, so its scope is the whole app; never cached by
  // the browser's HTTP cache, so a deploy's new worker is seen on the next load.
  const serviceWorker = path.join(CLIENT_DIST, "sw.js");
  app.get("/sw.js", async (c) => {
    try {
      const body = await fs.promises.readFile(serviceWorker, "utf8");
      return c.body(body, 200, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "no-cache",
      });
    } catch {
      return c.text("Not found", 404);
    }
  });
  app.get("*", async (c) => {
    try {
      return c.html(await fs.promises.readFile(indexFile, "utf8"));
    } catch {
      return c.text("The client is not built: run `pnpm build` (or use `pnpm dev`).", 503);
    }
  });
  return app;
}
