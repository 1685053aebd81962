/**
 * The API's contract, served by the app itself: the OpenAPI 3.1 document (GET /api/openapi.json, built
 * from the routes' own zod descriptions) and a browsable reference (GET /api/docs, Swagger UI from the
 * installed swagger-ui-dist: nothing comes from a CDN). Neither needs sign-in: the contract of a team
 * tool is not a secret, and a client generator should be able to fetch it without a token.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../../context";
import { createRouter, json } from "../openapi";

/** The files of swagger-ui-dist the reference page loads (nothing else of the package is served). */
const ASSETS = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
} as const;
type AssetName = keyof typeof ASSETS;

/** Resolved like any dependency, so it works from the sources and from a bundled build alike. */
const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The page's own script (a file, not inline, so the page's CSP needs no 'unsafe-inline' for scripts). */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  withCredentials: true,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Gloss API reference</title>
    <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>
`;

/**
 * The reference page's Content-Security-Policy: scripts and styles from our own origin only (Swagger UI
 * sets inline styles, hence style-src 'unsafe-inline'; its icons are data: SVGs). The rest of the app
 * keeps its own policy (app.ts): this one applies to /api/docs* alone.
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'none'";

const html = (description: string) => ({
  content: { "text/html": { schema: z.string() } },
  description,
});

const documentRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "getOpenApiDocument",
  tags: ["docs"],
  summary: "This OpenAPI 3.1 document",
  responses: { 200: json(z.looseObject({ openapi: z.string() }), "The OpenAPI document") },
});
const pageRoute = createRoute({
  method: "get",
  path: "/docs",
  operationId: "getApiReference",
  tags: ["docs"],
  summary: "The browsable API reference (Swagger UI)",
  responses: { 200: html("The reference page") },
});
const initRoute = createRoute({
  method: "get",
  path: "/docs/init.js",
  operationId: "getApiReferenceScript",
  tags: ["docs"],
  summary: "The reference page's script",
  responses: { 200: { content: { "text/javascript": { schema: z.string() } }, description: "JavaScript" } },
});
const assetRoute = createRoute({
  method: "get",
  path: "/docs/assets/{file}",
  operationId: "getApiReferenceAsset",
  tags: ["docs"],
  summary: "Swagger UI's files (from the installed swagger-ui-dist)",
  request: {
    params: z.object({ file: z.enum(Object.keys(ASSETS) as [AssetName, ...AssetName[]]) }),
  },
  responses: {
    200: {
      content: {
        "text/css": { schema: z.string() },
        "text/javascript": { schema: z.string() },
        "image/png": { schema: z.string().meta({ format: "binary" }) },
      },
      description: "The file",
    },
  },
});

const DOCUMENT_INFO: Parameters<OpenAPIHono["getOpenAPI31Document"]>[0] = {
  openapi: "3.1.0",
  info: {
    title: "Gloss API",
    version: "1",
    description:
      "The REST API of Gloss. Sign in with a session cookie (POST /api/auth/login) or send a personal API token as `Authorization: Bearer <token>` (POST /api/tokens). Errors are `{ error: { code, message, details? } }`; offsets are Unicode code points unless `?offsets=utf16`.",
  },
  // relative: the server that served this document (paths start with /api)
  servers: [{ url: "/" }],
  security: [{ session: [] }, { bearer: [] }],
};

/**
 * Mounts the document and the reference on `root` (the whole app, so the document holds every route
 * mounted on it, whenever it was mounted).
 */
export function mountDocs(root: OpenAPIHono<AppEnv>) {
  root.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "gloss_session",
    description: "The session cookie set by POST /api/auth/login or /api/auth/register",
  });
  root.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A personal API token (POST /api/tokens)",
  });
  registerCollabSocket(root);
  let cached: unknown = null;
  const docs = createRouter();
  docs.openapi({ ...documentRoute, security: [] }, (c) => {
    // built once: the routes do not change while the app runs
    cached ??= root.getOpenAPI31Document(DOCUMENT_INFO);
    return c.json(cached as { openapi: string }, 200);
  });
  // (its Content-Security-Policy, DOCS_CSP, is set by the app's header middleware for /api/docs*)
  docs.openapi({ ...pageRoute, security: [] }, (c) => c.html(PAGE, 200));
  docs.openapi({ ...initRoute, security: [] }, (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    return c.body(INIT_JS, 200);
  });
  docs.openapi({ ...assetRoute, security: [] }, async (c) => {
    const { file } = c.req.valid("param");
    c.header("Content-Type", ASSETS[file]);
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(await fs.promises.readFile(path.join(SWAGGER_DIR, file)), 200);
  });
  root.route("/api", docs);
}

/**
 * The collaboration socket is an HTTP upgrade handled beside the app (server.ts → collab), not a Hono
 * route: it is described here so the document lists every way in.
 */
function registerCollabSocket(root: OpenAPIHono<AppEnv>) {
  root.openAPIRegistry.registerPath({
    method: "get",
    path: "/collab/doc/{documentId}/{layer}",
    operationId: "collabSocket",
    tags: ["collab"],
    summary: "The collaboration WebSocket of one layer (Yjs sync and awareness, y-websocket protocol)",
    description:
      "Upgrade with `Connection: Upgrade`, `Upgrade: websocket`; authenticated before the upgrade by a single-use `?ticket=` (POST /api/socket-ticket), the session cookie or an `Authorization: Bearer` token; an API token in the URL (`?token=`) is refused. Frames are binary y-protocols messages. The server closes with a named code (shared/src/closeCodes.ts), e.g. 4401 unauthorised, 4403 forbidden, 4404 not found, 4422 invalid update, 1009 too big.",
    request: {
      params: z.object({
        documentId: z.string().regex(/^[1-9][0-9]{0,15}$/),
        layer: z.string().regex(/^(?:user-[1-9][0-9]{0,15}|shared|gold)$/),
      }),
      query: z.object({ ticket: z.string().optional() }),
    },
    responses: {
      101: {
        description: "Switching Protocols: the socket carries binary Yjs frames",
        content: { "application/octet-stream": { schema: z.string().meta({ format: "binary" }) } },
      },
    },
  });
}
