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
 * A 400 `invalid_input` from a failed check of the request: `message` names the first field
 * (`where` when the issue is about the whole of it), `details` lists every issue as `{ path, message }`.
 */
export function invalidInput(error: ZodError, where = "body"): HttpError {
  const details = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = details[0];
  return new HttpError(
    400,
    "invalid_input",
    first ? `${first.path || where}: ${first.message}` : "Invalid input",
    details,
  );
}
