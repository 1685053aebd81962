import { act } from "react";
import { afterEach, beforeEach, expect, test } from "vitest";
import { App } from "./App";
import { nextPath } from "./routes/nextPath";
import { fakeFetch, json, render, until } from "./test-utils";

const me = { id: 1, username: "ada", displayName: "Ada", isAdmin: false };

beforeEach(() => window.history.replaceState(null, "", "/"));
afterEach(() => {
  document.body.innerHTML = "";
});

/** Types into an input the way React notices (the native value setter, then an input event). */
function type(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
  setter.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

test("a signed-out visitor is sent to sign in, sees the server's error, then lands where they wanted", async () => {
  window.history.replaceState(null, "", "/projects/4");
  let attempts = 0;
  const { fetcher, calls } = fakeFetch({
    "GET /api/auth/session": () => json(200, { user: null }),
    "POST /api/auth/login": () =>
      ++attempts === 1
        ? json(401, { error: { code: "invalid_credentials", message: "Wrong username or password" } })
        : json(200, me),
    "GET /api/projects/4": () =>
      json(200, {
        id: 4,
        name: "Bridges <b>& tunnels</b>",
        description: "",
        mode: "shared",
        annotatorsPerDocument: 2,
        snapping: "word",
        relationTypes: ["attributes"],
        createdAt: 0,
        role: "manager",
        labels: [],
      }),
    "GET /api/projects/4/queue": () => json(200, { queue: [], next: null }),
    "GET /api/projects/4/documents": () => json(200, { documents: [] }),
  });
  const r = await render(<App fetcher={fetcher} />);
  await until(() => r.container.querySelector("form"));
  expect(window.location.pathname).toBe("/signin");
  expect(new URLSearchParams(window.location.search).get("next")).toBe("/projects/4");

  const form = r.container.querySelector("form")!;
  type(form.querySelector<HTMLInputElement>('input[name="username"]')!, "ada");
  type(form.querySelector<HTMLInputElement>('input[name="password"]')!, "wrong password");
  await act(async () => form.requestSubmit());
  await until(() => r.container.querySelector('[role="alert"]'));
  expect(r.container.querySelector('[role="alert"]')?.textContent).toBe("Wrong username or password");

  await act(async () => form.requestSubmit());
  await until(
    () => r.container.querySelector("h1")?.textContent !== "Sign in" && r.container.querySelector("h1"),
  );
  expect(window.location.pathname).toBe("/projects/4");
  // the project name is text, not markup; the header shows the project and its manager-only Settings link
  expect(r.container.querySelector("h1")?.textContent).toBe("Bridges <b>& tunnels</b>");
  expect(r.container.querySelector("h1 b")).toBeNull();
  const nav = Array.from(r.container.querySelectorAll("header nav a")).map((a) => a.textContent);
  // (later pages add their own entries; these three are this page's)
  expect(nav).toEqual(expect.arrayContaining(["Projects", "Documents", "Settings"]));
  const login = calls.find((c) => c.url === "/api/auth/login")!;
  expect(JSON.parse(String(login.init.body))).toEqual({ username: "ada", password: "wrong password" });
  await r.unmount();
});

test("a signed-in user sent to /signin?next=… goes straight there; only local paths are followed", async () => {
  window.history.replaceState(null, "", "/signin?next=%2Fprojects%2F4");
  const { fetcher } = fakeFetch({
    "GET /api/auth/session": () => json(200, { user: me }),
    "GET /api/projects/4": () => json(404, { error: { code: "not_found", message: "No such project" } }),
    "GET /api/projects/4/queue": () =>
      json(404, { error: { code: "not_found", message: "No such project" } }),
  });
  const r = await render(<App fetcher={fetcher} />);
  await until(() => r.container.querySelector('[role="alert"]'));
  expect(window.location.pathname).toBe("/projects/4");
  // a non-member sees the server's message, not a blank page
  expect(r.container.querySelector('[role="alert"]')?.textContent).toBe("No such project");
  await r.unmount();

  expect(nextPath(new URLSearchParams("next=//evil.example/x").get("next"))).toBe("/");
  expect(nextPath(new URLSearchParams("next=https://evil.example").get("next"))).toBe("/");
  expect(nextPath(new URLSearchParams("next=/documents/3?layer=gold").get("next"))).toBe(
    "/documents/3?layer=gold",
  );
  expect(nextPath(undefined)).toBe("/");
});
