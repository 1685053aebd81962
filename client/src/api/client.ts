/**
 * The fetch wrapper every page uses: same-origin credentials (the session cookie), JSON in and out, and
 * the server's `{ error: { code, message, details? } }` turned into an ApiError the UI can show as text.
 */

/** An API failure: the HTTP status (0 when the network failed) and the server's code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The function that performs HTTP requests; `fetch` in the browser, replaceable in tests. */
export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Query parameters; empty strings, null and undefined are left out. */
  query?: Record<string, string | number | null | undefined>;
}

/** Builds `path?query`, leaving out empty values so `?status=&q=` never reaches the server. */
export function withQuery(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Reads an error response (JSON or not) into an ApiError. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const e = body?.error;
    if (e && typeof e.message === "string") {
      return new ApiError(
        res.status,
        typeof e.code === "string" ? e.code : `http_${res.status}`,
        e.message,
        e.details,
      );
    }
  } catch {
    // not JSON: fall through to a message built from the status
  }
  const message = res.status >= 500 ? `The server failed (${res.status})` : `Request failed (${res.status})`;
  return new ApiError(res.status, `http_${res.status}`, message);
}

/** Creates a JSON API client over `fetcher`. */
export function createApi(fetcher: Fetcher = (input, init) => fetch(input, init)) {
  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    let res: Response;
    try {
      res = await fetcher(withQuery(path, opts.query), {
        method,
        headers,
        body: payload,
        credentials: "same-origin",
        signal: opts.signal,
      });
    } catch (err) {
      if ((err as { name?: string })?.name === "AbortError") throw err;
      throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    request,
    get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, undefined, opts),
    post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, body, opts),
    patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PATCH", path, body, opts),
    put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PUT", path, body, opts),
    delete: <T>(path: string, opts?: RequestOptions) => request<T>("DELETE", path, undefined, opts),
  };
}

export type Api = ReturnType<typeof createApi>;

/** True when `err` is an aborted request (a component unmounted or a newer request replaced it). */
export const isAbort = (err: unknown) => (err as { name?: string })?.name === "AbortError";

/** A message for any thrown value, for showing to the user. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
