import { createMemoryHistory } from "@tanstack/react-router";
import { act } from "react";
import { afterEach, describe, expect, test } from "vitest";
import { App } from "./App";
import { createAppRouter } from "./routeTree";
import { click, fakeFetch, json, render, until } from "./test-utils";

afterEach(() => {
  document.body.innerHTML = "";
});

/** The route ids and params a path matches (the root alone when nothing matches). */
function matched(path: string) {
  const router = createAppRouter({ history: createMemoryHistory() });
  const matches = router.matchRoutes(path, {});
  const last = matches[matches.length - 1]!;
  return { routeId: last.routeId as string, params: { ...last.params } as Record<string, unknown> };
}

describe("params", () => {
  test("ids in paths are parsed into numbers", () => {
    expect(matched("/projects/12")).toEqual({
      routeId: "/_auth/projects/$projectId",
      params: { projectId: 12 },
    });
    expect(matched("/projects/12/settings").routeId).toBe("/_auth/projects/$projectId/settings");
    expect(matched("/projects/3/agreement").params).toEqual({ projectId: 3 });
    expect(matched("/documents/5/curate")).toEqual({
      routeId: "/_auth/documents/$documentId/curate",
      params: { documentId: 5 },
    });
    expect(matched("/")).toEqual({ routeId: "/_auth/", params: {} });
    expect(matched("/signin").routeId).toBe("/_guest/signin");
  });

  test("an id that is not a plain positive integer matches no route", () => {
    for (const path of [
      "/projects/abc",
      "/projects/0",
      "/projects/007",
      "/projects/1.5",
      "/projects/-3",
      "/documents/1e3",
      "/documents/0x10",
      "/documents/12345678901234567890",
      "/nowhere",
    ]) {
      expect(matched(path).routeId, path).toBe("__root__");
    }
  });
});

const ada = { id: 1, username: "ada", displayName: "Ada", isAdmin: false };

/** The app at `path` with the given session answer and API routes; returns the rendered app and history. */
async function app(
  path: string,
  me: Response | (() => Response),
  routes: Parameters<typeof fakeFetch>[0] = {},
) {
  const history = createMemoryHistory({ initialEntries: [path] });
  const { fetcher, calls } = fakeFetch({
    "GET /api/auth/session": typeof me === "function" ? me : () => me.clone(),
    ...routes,
  });
  const r = await render(<App fetcher={fetcher} history={history} />);
  return { r, history, calls };
}

const signedOut = () => json(200, { user: null });
const heading = (r: { container: HTMLElement }) => r.container.querySelector("main h1")?.textContent ?? null;

describe("auth redirect", () => {
  test("a signed-out visitor of a page behind sign-in is sent to sign in, with the way back", async () => {
    const { r, history } = await app("/documents/5?layer=user-3", signedOut);
    await until(() => heading(r) === "Sign in");
    expect(history.location.pathname).toBe("/signin");
    expect(new URLSearchParams(history.location.search).get("next")).toBe("/documents/5?layer=user-3");
    await r.unmount();
  });

  test("the projects page sends a signed-out visitor to plain /signin", async () => {
    const { r, history } = await app("/", signedOut);
    await until(() => heading(r) === "Sign in");
    expect(history.location.href).toBe("/signin");
    await r.unmount();
  });

  test("signing out sends the user to sign in", async () => {
    const { r, history } = await app("/", json(200, { user: ada }), {
      "GET /api/projects": () => json(200, { projects: [] }),
      "POST /api/auth/logout": () => new Response(null, { status: 204 }),
    });
    await until(() => heading(r) === "Projects");
    const signOut = Array.from(r.container.querySelectorAll("button")).find(
      (b) => b.textContent === "Sign out",
    );
    await click(signOut);
    await until(() => heading(r) === "Sign in");
    expect(history.location.href).toBe("/signin");
    await r.unmount();
  });
});

describe("not found", () => {
  test("an unknown path, or a path with a bad id, shows the not-found page inside the app's frame", async () => {
    for (const path of ["/somewhere/else", "/projects/abc", "/documents/0/curate", "/documents/5/curate/x"]) {
      const { r } = await app(path, json(200, { user: ada }));
      await until(() => heading(r) === "Page not found");
      expect(r.container.querySelector("header nav")).not.toBeNull();
      await r.unmount();
    }
  });
});

describe("navigation", () => {
  const project = (role: string) => ({
    id: 4,
    name: "Bridges",
    description: "",
    mode: "independent",
    annotatorsPerDocument: 2,
    snapping: "word",
    relationTypes: [],
    createdAt: 0,
    role,
    labels: [],
  });
  const projectRoutes = (role: string) => ({
    "GET /api/projects/4": () => json(200, project(role)),
    "GET /api/projects/4/queue": () => json(200, { queue: [], next: null }),
    "GET /api/projects/4/documents": () => json(200, { documents: [], total: 0 }),
  });
  const navLinks = (r: { container: HTMLElement }) =>
    Array.from(r.container.querySelectorAll("header nav a")).map((a) => [
      a.textContent,
      a.getAttribute("href"),
      a.getAttribute("aria-current"),
    ]);

  test("the header lists the global and project entries the role may see, the current one marked", async () => {
    const manager = await app("/projects/4", json(200, { user: ada }), projectRoutes("manager"));
    await until(() => heading(manager.r) === "Bridges");
    expect(navLinks(manager.r)).toEqual([
      ["Projects", "/", null],
      ["Documents", "/projects/4", "page"],
      ["Settings", "/projects/4/settings", null],
      ["Agreement", "/projects/4/agreement", null],
      ["Curation", "/projects/4/curation", null],
      ["Export", "/projects/4/export", null],
    ]);
    await manager.r.unmount();

    const annotator = await app("/projects/4", json(200, { user: ada }), projectRoutes("annotator"));
    await until(() => heading(annotator.r) === "Bridges");
    expect(navLinks(annotator.r)).toEqual([
      ["Projects", "/", null],
      ["Documents", "/projects/4", "page"],
    ]);
    await annotator.r.unmount();
  });

  test("a link navigates in-app on a plain click and leaves modified clicks to the browser", async () => {
    const { r, history } = await app("/projects/4", json(200, { user: ada }), {
      ...projectRoutes("manager"),
      "GET /api/projects": () => json(200, { projects: [] }),
    });
    await until(() => heading(r) === "Bridges");
    const projects = r.container.querySelector<HTMLAnchorElement>('header nav a[href="/"]')!;
    const modified = new MouseEvent("click", { bubbles: true, cancelable: true, ctrlKey: true });
    await act(async () => {
      projects.dispatchEvent(modified);
    });
    // not prevented and no in-app navigation: the browser opens the link its own way (e.g. a new tab)
    expect(modified.defaultPrevented).toBe(false);
    expect(history.location.pathname).toBe("/projects/4");

    await click(projects);
    await until(() => heading(r) === "Projects");
    expect(history.location.pathname).toBe("/");
    await act(async () => history.back());
    await until(() => heading(r) === "Bridges");
    await r.unmount();
  });
});
