import http from "node:http";
/**
 * A small HTTP client for tests that behaves like a browser session: it keeps the session cookie and
 * sends the server's own Origin on state-changing requests (or a bearer token, like a script).
 */
export class ApiClient {
  cookie: string | null = null;
  token: string | null = null;
  origin: string;

  constructor(readonly baseUrl: string) {
    this.origin = baseUrl;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (method !== "GET" && method !== "HEAD" && !("origin" in h)) h.origin = this.origin;
    let payload: BodyInit | undefined;
    if (body instanceof FormData || typeof body === "string" || body instanceof Uint8Array)
      payload = body as BodyInit;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, redirect: "manual" });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      const m = /gloss_session=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `gloss_session=${m[1]}` : null;
    }
    return res;
  }

  /** Sends and parses JSON; throws with the server's error when the status is not the expected one. */
  async json<T = unknown>(method: string, path: string, body?: unknown, expectStatus?: number): Promise<T> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    const ok = expectStatus === undefined ? res.ok : res.status === expectStatus;
    if (!ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return data as T;
  }

  get = <T = unknown>(path: string) => this.json<T>("GET", path);
  post = <T = unknown>(path: string, body?: unknown) => this.json<T>("POST", path, body);
  patch = <T = unknown>(path: string, body?: unknown) => this.json<T>("PATCH", path, body);
  delete = <T = unknown>(path: string) => this.json<T>("DELETE", path);
}

/**
 * POSTs `total` bytes (in `piece(i)` pieces) with chunked transfer encoding, no Content-Length, over a raw
 * http.request, and stops sending as soon as the response arrives (the server may then close the socket).
 */
export function postChunked(
  url: string,
  headers: Record<string, string>,
  total: number,
  piece: (i: number) => Uint8Array,
): Promise<{ res: Response; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, { method: "POST", headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () =>
        resolve({ res: new Response(Buffer.concat(parts), { status: res.statusCode! }), sent }),
      );
      res.on("error", reject);
    });
    req.on("error", (err) => {
      if (!answered) reject(err); // after the answer, a closed socket is the server refusing the rest
    });
    let n = 0;
    const pump = () => {
      while (sent < total && !answered) {
        const bytes = piece(n++);
        sent += bytes.length;
        // wait for the socket (and let the response in) before writing more
        if (!req.write(bytes)) return void req.once("drain", () => setImmediate(pump));
      }
      req.end();
    };
    pump();
  });
}

/** GET with node:http to see the HTTP trailers (fetch does not expose them). */
export function getWithTrailers(url: string, cookie: string) {
  return new Promise<{
    status: number;
    headers: http.IncomingHttpHeaders;
    trailers: NodeJS.Dict<string>;
    body: Buffer;
  }>((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            trailers: res.trailers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      })
      .on("error", reject);
  });
}
