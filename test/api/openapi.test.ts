/**
 * The OpenAPI contract (GET /api/openapi.json) against the app itself: every route the Hono app has is
 * in the document, every path parameter is declared, every operation answers with a described 2xx; the
 * reference page is served from our own origin under its own CSP; and the error contract: a bad request
 * is a 400 naming the field, malformed JSON a 400 invalid_json, and anything thrown unexpectedly
 * (a corrupt stored column) a logged 500.
 */
import { createApp } from "@gloss/server/app";
import type { Logger } from "@gloss/server/log";
import type { ApiErrorBody } from "@gloss/shared";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { sqlRun } from "../helpers/sql";

interface Operation {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

/**
 * What app.routes holds that is not an operation: middleware (method ALL) and the API's 404 fallback.
 * The client's files and the SPA fallback (outside /api) are not part of the API.
 */
const NOT_OPERATIONS = (method: string, path: string) => method === "ALL" || !path.startsWith("/api/");

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

async function getDocument(url: string): Promise<OpenApiDocument> {
  const res = await fetch(`${url}/api/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as OpenApiDocument;
}

/** Every `$ref` in the document. */
function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsOf(v, out);
    }
  return out;
}

describe("GET /api/openapi.json", () => {
  const ctx = useServer();

  it("describes every route of the app, with its path parameters and a 2xx response", async () => {
    // anonymous: the contract of a team tool is not a secret (a client generator fetches it as is)
    const doc = await getDocument(ctx.server.url);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBe("Gloss API");

    const app = createApp(ctx.server.deps);
    const registered = new Set<string>();
    for (const r of app.routes) {
      if (NOT_OPERATIONS(r.method, r.path)) continue;
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      registered.add(`${r.method.toLowerCase()} ${path}`);
    }
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of Object.keys(item))
        if (METHODS.includes(method)) documented.add(`${method} ${path}`);
    const missing = [...registered].filter((op) => !documented.has(op));
    expect(missing).toEqual([]);
    // and nothing documented that the app does not serve, but the socket upgrade (server.ts, not Hono)
    const extra = [...documented].filter((op) => !registered.has(op));
    expect(extra).toEqual(["get /collab/doc/{documentId}/{layer}"]);
    // the routes the issue names, to be sure the walk above saw the real app
    for (const op of [
      "get /api/projects/{id}",
      "post /api/projects/{id}/documents",
      "get /api/projects/{id}/export",
      "post /api/documents/{id}/curation/decisions",
      "patch /api/documents/{id}/layers/{layer}/spans/{spanId}",
    ])
      expect(documented).toContain(op);

    // every operation is named, once (generated clients name their functions after it)
    const operationIds = Object.values(doc.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([, op]) => op.operationId),
    );
    expect(operationIds.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(operationIds).size).toBe(operationIds.length);

    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const where = `${method} ${path}`;
        const declared = (op.parameters ?? []).filter((p) => p.in === "path");
        expect(declared.map((p) => p.name).sort(), where).toEqual([...names].sort());
        for (const p of declared) expect(p.required, `${where} ${p.name}`).toBe(true);
        const ok = Object.entries(op.responses).filter(([status]) => /^(2\d\d|101)$/.test(status));
        expect(ok.length, `${where}: a success response`).toBeGreaterThan(0);
        for (const [status, res] of ok) {
          if (status === "204") continue; // no content
          const content = Object.values(res.content ?? {});
          expect(content.length, `${where} ${status}: content`).toBeGreaterThan(0);
          for (const c of content) expect(c.schema, `${where} ${status}: schema`).toBeDefined();
        }
      }
    }

    // every reference resolves
    const schemas = doc.components?.schemas ?? {};
    for (const ref of refsOf(doc)) {
      const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
      expect(m, ref).not.toBeNull();
      expect(schemas[m![1]!], ref).toBeDefined();
    }
  });

  it("describes the streamed routes with their content types", async () => {
    const doc = await getDocument(ctx.server.url);
    const importBody = doc.paths["/api/projects/{id}/documents"]!.post!.requestBody!.content;
    expect(Object.keys(importBody).sort()).toEqual(
      ["application/json", "application/x-ndjson", "multipart/form-data", "text/csv", "text/plain"].sort(),
    );
    const exportTypes = Object.keys(doc.paths["/api/projects/{id}/export"]!.get!.responses["200"]!.content!);
    expect(exportTypes).toEqual(
      expect.arrayContaining(["application/zip", "application/x-ndjson", "text/csv"]),
    );
    const annotations = doc.paths["/api/projects/{id}/annotations/import"]!.post!.requestBody!.content;
    expect(Object.keys(annotations)).toEqual(expect.arrayContaining(["multipart/form-data"]));
    expect(doc.paths["/collab/doc/{documentId}/{layer}"]!.get!.responses["101"]).toBeDefined();
  });

  it("serves the reference page and Swagger UI's files from our own origin, under a CSP of its own", async () => {
    const page = await fetch(`${ctx.server.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/api/docs/assets/swagger-ui-bundle.js");
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    for (const [file, type] of [
      ["swagger-ui-bundle.js", /javascript/],
      ["swagger-ui.css", /text\/css/],
    ] as const) {
      const res = await fetch(`${ctx.server.url}/api/docs/assets/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    // only the listed files: nothing else of node_modules is reachable
    expect((await fetch(`${ctx.server.url}/api/docs/assets/package.json`)).status).toBe(400);
    // the app's own CSP is unchanged
    const spa = await fetch(`${ctx.server.url}/`);
    expect(spa.headers.get("content-security-policy")).toContain(
      "default-src 'self'; connect-src 'self' ws: wss:",
    );
  });
});

describe("the error contract", () => {
  const ctx = useServer();

  it("a bad parameter, query or body is a 400 invalid_input naming the field", async () => {
    const user = await addUser(ctx.server.store);
    const project = await addProject(ctx.server.store, { members: [{ user, role: "manager" }] });
    const api = new ApiClient(ctx.server.url);
    api.token = user.token;
    const errorOf = async (res: Response) => {
      expect(res.status).toBe(400);
      return ((await res.json()) as ApiErrorBody).error;
    };
    const param = await errorOf(await api.request("GET", "/api/documents/0x1"));
    expect(param).toMatchObject({ code: "invalid_input", message: expect.stringMatching(/^id: /) });
    const query = await errorOf(await api.request("GET", `/api/projects/${project.id}/documents?limit=0`));
    expect(query).toMatchObject({ code: "invalid_input", message: expect.stringMatching(/^limit: /) });
    const body = await errorOf(await api.request("PATCH", `/api/projects/${project.id}`, { name: 7 }));
    // a body's issues are sentences naming the field in words (shared/validation.ts), with its path
    expect(body).toMatchObject({ code: "invalid_input", message: "The name must be text" });
    expect(body.details).toEqual([{ path: "name", message: "The name must be text" }]);
    const malformed = await errorOf(
      await api.request("PATCH", `/api/projects/${project.id}`, "{not json", {
        "content-type": "application/json",
      }),
    );
    expect(malformed.code).toBe("invalid_json");
    const notJson = await api.request("PATCH", `/api/projects/${project.id}`, "name=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(notJson.status).toBe(415);
    expect(((await notJson.json()) as ApiErrorBody).error.code).toBe("unsupported_media_type");
  });

  it("a ZodError or SyntaxError thrown past validation (a corrupt stored column) is a logged 500", async () => {
    const logged: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const log: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (msg, fields) => logged.push({ msg, fields }),
    };
    // the real app on the server's database and collaboration service, with a logger the test reads
    const app = createApp({ ...ctx.server.deps, log });

    const user = await addUser(ctx.server.store);
    const project = await addProject(ctx.server.store, { members: [{ user, role: "manager" }] });
    const doc = await addDocument(ctx.server.store, project.id, "some text");
    await sqlRun(ctx.server.store, sql`UPDATE documents SET meta = '{corrupt' WHERE id = ${doc.id}`);
    const res = await app.request(`/api/documents/${doc.id}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as ApiErrorBody).error.code).toBe("internal");
    expect(logged).toEqual([
      {
        msg: "unhandled error",
        fields: expect.objectContaining({
          path: `/api/documents/${doc.id}`,
          err: expect.stringMatching(/JSON/),
        }),
      },
    ]);
  });
});
