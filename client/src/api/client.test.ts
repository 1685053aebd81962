import { describe, expect, test } from "vitest";
import { json } from "../test-utils";
import { ApiError, createApi, withQuery } from "./client";

/** The error a request fails with (fails the test when it succeeds). */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (e: unknown) => e as ApiError,
  );

function recording(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const api = createApi(async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  });
  return { api, calls };
}

describe("api client", () => {
  test("sends JSON with same-origin credentials and parses the answer", async () => {
    const { api, calls } = recording(() => json(201, { id: 3, name: "p" }));
    const out = await api.post<{ id: number }>("/api/projects", { name: "p" });
    expect(out).toEqual({ id: 3, name: "p" });
    expect(calls[0]!.init.credentials).toBe("same-origin");
    expect(calls[0]!.init.method).toBe("POST");
    expect((calls[0]!.init.headers as Record<string, string>)["content-type"]).toBe("application/json");
    expect(calls[0]!.init.body).toBe('{"name":"p"}');
  });

  test("a server error becomes an ApiError with its code, message and details", async () => {
    const { api } = recording(() =>
      json(409, {
        error: {
          code: "label_in_use",
          message: "Label 'claim' is used by 3 annotations",
          details: { count: 3 },
        },
      }),
    );
    const err = await failure(api.delete("/api/projects/1/labels/2"));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.code).toBe("label_in_use");
    expect(err.message).toBe("Label 'claim' is used by 3 annotations");
    expect(err.details).toEqual({ count: 3 });
  });

  test("a non-JSON failure still gives a readable error", async () => {
    const { api } = recording(() => new Response("<html>bad gateway</html>", { status: 502 }));
    const err = await failure(api.get("/api/projects"));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("http_502");
    expect(err.message).toBe("The server failed (502)");
  });

  test("a network failure is an ApiError with status 0", async () => {
    const api = createApi(async () => {
      throw new TypeError("Failed to fetch");
    });
    const err = await failure(api.get("/api/auth/me"));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.code).toBe("network");
  });

  test("204 gives undefined; FormData goes through untouched", async () => {
    const { api, calls } = recording(() => new Response(null, { status: 204 }));
    expect(await api.post("/api/auth/logout")).toBeUndefined();
    const form = new FormData();
    form.append("files", new Blob(["hello"]), "a.txt");
    await api.post("/api/projects/1/documents", form);
    expect(calls[1]!.init.body).toBe(form);
    expect((calls[1]!.init.headers as Record<string, string>)["content-type"]).toBeUndefined();
  });

  test("query parameters leave out empty values", () => {
    expect(withQuery("/api/x", { status: "", q: "a b", n: 2, z: null })).toBe("/api/x?q=a+b&n=2");
    expect(withQuery("/api/x", { status: "" })).toBe("/api/x");
  });
});
