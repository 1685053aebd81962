/**
 * What every route group builds on: an OpenAPIHono router whose validator hook turns a bad parameter,
 * query or body into a 400 `invalid_input` naming the field, the one place a JSON request body is
 * parsed (malformed JSON is the only 400 `invalid_json`), and the response pieces every route declares.
 * Each route is described once (`createRoute`): the same description validates the request, types the
 * handler and goes into the OpenAPI document (GET /api/openapi.json).
 */

import { ApiErrorBody } from "@gloss/shared";
import { type Hook, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import type { AppEnv } from "../context";
import { HttpError, invalidInput } from "../errors";

/** What the validator names when an issue has no path (the whole body or query). */
const TARGET_NAMES: Record<string, string> = { json: "body", query: "query", param: "path", form: "form" };

/** The validator hook of every route: a failed parameter, query or body check is a 400 `invalid_input`. */
export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (!result.success) throw invalidInput(result.error, TARGET_NAMES[result.target] ?? result.target);
  return undefined;
};

/** A router for one resource; mounted by createApp under /api. */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType);

/**
 * Reads a JSON request body before the validator does: malformed JSON is a 400 `invalid_json` here, at
 * the parsing step, so a SyntaxError thrown anywhere else is a bug (a logged 500), never the client's
 * fault. `emptyAs`: an empty body stands for this value (an optional body).
 */
export const readJson = (opts: { emptyAs?: unknown } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (isJson(c.req.header("content-type"))) {
      const text = await c.req.text();
      if (opts.emptyAs !== undefined && text.trim() === "") {
        // the validator reads the body through this cache (c.req.json() parses the cached text)
        (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(JSON.stringify(opts.emptyAs));
      } else {
        try {
          JSON.parse(text);
        } catch (err) {
          throw new HttpError(400, "invalid_json", `Body is not valid JSON: ${(err as Error).message}`);
        }
      }
    }
    await next();
  });

/** A required JSON request body validated by `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  body: { content: { "application/json": { schema } }, required: true, description },
});

type BodyContent = NonNullable<NonNullable<RouteConfig["request"]>["body"]>["content"];

/**
 * A body the handler reads itself, as a stream (imports): described by plain JSON Schema per content
 * type, which the router leaves alone (it validates only zod schemas), so nothing buffers it up front.
 */
export const streamedBody = (content: Record<string, { schema: object }>, description?: string) => ({
  body: { content: content as BodyContent, required: true, description },
});

type ResponseContent = NonNullable<Exclude<RouteConfig["responses"][number], { $ref: string }>["content"]>;

/** A streamed or binary response, described by plain JSON Schema per content type. */
export const streamedContent = (content: Record<string, { schema: object }>) => content as ResponseContent;

/** A JSON response. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const error = (description: string) => json(ApiErrorBody, description);

/**
 * The error responses a route can give, by status: every one is `{ error: { code, message, details? } }`.
 * 400 is `invalid_input` (a parameter, the query or the body; `message` names the field) or `invalid_json`.
 */
export const errors = {
  400: error("Invalid input: `invalid_input` names the field; `invalid_json` for a malformed body"),
  401: error("Not signed in (`unauthorized`)"),
  403: error("Signed in but not allowed (`forbidden`), or a cross-origin write (`bad_origin`)"),
  404: error("No such resource, or one the caller may not see (`not_found`)"),
  409: error("Conflicts with the current state (the code says which)"),
  413: error("The body is over its limit (`payload_too_large`)"),
  415: error("The body's Content-Type is not one this route reads (`unsupported_media_type`)"),
  429: error("Too many attempts (`rate_limited`, with Retry-After)"),
} as const;

/** The errors of a route that needs a signed-in caller and a resource they may see. */
export const memberErrors = { 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] };
