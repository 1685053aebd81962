import { act } from "react";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  buildPath,
  Link,
  matchPath,
  matchRoutes,
  navigate,
  type RouteDef,
  type RouteProps,
  Router,
} from "./router";
import { click, render } from "./test-utils";

describe("matchPath", () => {
  test("literal and parameter segments, decoded", () => {
    expect(matchPath("/", "/")).toEqual({});
    expect(matchPath("/projects/:projectId", "/projects/12")).toEqual({ projectId: "12" });
    expect(matchPath("/projects/:projectId", "/projects/12/")).toEqual({ projectId: "12" });
    expect(matchPath("/a/:name", "/a/caf%C3%A9%20x")).toEqual({ name: "café x" });
  });
  test("a different length or literal does not match", () => {
    expect(matchPath("/projects/:projectId", "/projects")).toBeNull();
    expect(matchPath("/projects/:projectId", "/projects/1/settings")).toBeNull();
    expect(matchPath("/projects", "/documents")).toBeNull();
    expect(matchPath("/", "/x")).toBeNull();
  });
  test("a trailing * takes the rest", () => {
    expect(matchPath("/files/*", "/files/a/b")).toEqual({ "*": "a/b" });
  });
  test("malformed escapes do not throw", () => {
    expect(matchPath("/a/:x", "/a/%E0%A4%A")).toEqual({ x: "%E0%A4%A" });
  });
});

/** A page that shows its name, params and the `layer` query. */
function Show({ name, params, query }: RouteProps & { name: string }) {
  return (
    <p data-page={name}>
      {name} {JSON.stringify(params)} {query.get("layer") ?? ""}
    </p>
  );
}
const Home = (p: RouteProps) => <Show name="home" {...p} />;
const ProjectP = (p: RouteProps) => <Show name="project" {...p} />;
const SettingsP = (p: RouteProps) => <Show name="settings" {...p} />;
const DocP = (p: RouteProps) => <Show name="doc" {...p} />;
const Missing = (p: RouteProps) => <Show name="missing" {...p} />;

const routes: RouteDef[] = [
  { path: "/", component: Home },
  { path: "/projects/:projectId", component: ProjectP },
  { path: "/projects/:projectId/settings", component: SettingsP },
  { path: "/documents/:documentId", component: DocP },
];

test("matchRoutes picks the first matching entry in table order", () => {
  expect(matchRoutes(routes, "/projects/3/settings")?.route.path).toBe("/projects/:projectId/settings");
  expect(matchRoutes(routes, "/nope")).toBeNull();
  expect(buildPath("/projects/:projectId/settings", { projectId: 7 })).toBe("/projects/7/settings");
});

describe("Router", () => {
  beforeEach(() => window.history.replaceState(null, "", "/"));
  afterEach(() => {
    document.body.innerHTML = "";
  });

  test("renders the matching page, follows navigate() and back, and falls back to not found", async () => {
    const r = await render(<Router routes={routes} notFound={Missing} />);
    expect(r.container.querySelector("[data-page]")?.getAttribute("data-page")).toBe("home");

    await act(async () => navigate("/documents/5?layer=user-3"));
    const p = r.container.querySelector("[data-page]")!;
    expect(p.getAttribute("data-page")).toBe("doc");
    expect(p.textContent).toContain('"documentId":"5"');
    expect(p.textContent).toContain("user-3");

    await act(async () => navigate("/somewhere/else"));
    expect(r.container.querySelector("[data-page]")?.getAttribute("data-page")).toBe("missing");

    // the browser's back button: the address changes, then popstate fires
    await act(async () => {
      window.history.replaceState(null, "", "/documents/5");
      window.dispatchEvent(new PopStateEvent("popstate"));
    });
    expect(r.container.querySelector("[data-page]")?.getAttribute("data-page")).toBe("doc");
    await r.unmount();
  });

  test("a Link navigates in-app on a plain click and leaves modified clicks to the browser", async () => {
    const r = await render(
      <Router routes={routes} notFound={Missing}>
        {(page) => (
          <>
            <Link to="/projects/9">Project nine</Link>
            {page}
          </>
        )}
      </Router>,
    );
    const a = r.container.querySelector("a")!;
    expect(a.getAttribute("href")).toBe("/projects/9");
    const push = vi.spyOn(window.history, "pushState");
    await click(a);
    expect(push).toHaveBeenCalledWith(null, "", "/projects/9");
    push.mockClear();
    expect(window.location.pathname).toBe("/projects/9");
    expect(r.container.querySelector("[data-page]")?.getAttribute("data-page")).toBe("project");

    const event = new MouseEvent("click", { bubbles: true, cancelable: true, ctrlKey: true });
    await act(async () => {
      a.dispatchEvent(event);
    });
    // not prevented and no in-app navigation: the browser opens the link its own way (e.g. a new tab)
    expect(event.defaultPrevented).toBe(false);
    expect(push).not.toHaveBeenCalled();
    push.mockRestore();
    await r.unmount();
  });
});
