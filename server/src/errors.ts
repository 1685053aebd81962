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
