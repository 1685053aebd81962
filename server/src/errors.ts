import { humanIssues } from "@gloss/shared";
import type { ZodError } from "zod";

/** An error that becomes `{ error: { code, message, details? } }` with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new HttpError(400, "bad_request", message, details);
export const unauthorized = (message = "Sign in first") => new HttpError(401, "unauthorized", message);
export const forbidden = (message = "You may not do that") => new HttpError(403, "forbidden", message);
export const notFound = (what = "Not found") => new HttpError(404, "not_found", what);
export const conflict = (message: string, details?: unknown) =>
  new HttpError(409, "conflict", message, details);

/**
 * A 400 `invalid_input` from a failed check of the request; `details` lists every issue as
 * `{ path, message }`. A body's issues are sentences naming the field as a person would ("Label 3's name
 * is longer than 64 characters": shared/validation.ts), the first one the `message`; a query or path
 * parameter is named as the URL spells it (`limit: …`), since that is what its caller typed.
 */
export function invalidInput(error: ZodError, where = "body"): HttpError {
  const inBody = where === "body" || where === "form";
  const details = inBody
    ? humanIssues(error.issues, "The request body")
    : error.issues.map((i) => {
        const path = i.path.join(".");
        return { path, message: `${path || where}: ${i.message}` };
      });
  return new HttpError(400, "invalid_input", details[0]?.message ?? "Invalid input", details);
}
