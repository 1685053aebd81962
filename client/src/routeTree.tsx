/**
 * Every page of the app, as a TanStack Router route tree (code-based). Ids in paths are parsed into
 * numbers with zod, so a page never sees `Number("abc")`: a path whose id does not parse matches no
 * route and shows the not-found page. Each page is its own chunk, loaded when its route is entered (the
 * sign-in page never pulls in the editor). Pages behind `_auth` need a signed-in user; `_guest` pages
 * (sign in, register) send a signed-in user on to where `?next=` points.
 */
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  type RouterHistory,
  redirect,
} from "@tanstack/react-router";
import { z } from "zod/mini";
import { AppShell } from "./components/AppShell";
import { NotFoundPage } from "./routes/NotFoundPage";
import { nextPath } from "./routes/nextPath";
import { type Session, useSession } from "./session";

/** Where a route shows up in the navigation header. */
export interface NavEntry {
  label: string;
  /** "global": always (signed in); "project": beside the current project, `$projectId` filled in. */
  scope: "global" | "project";
  /** Shown only when this holds (e.g. managers only). */
  visible?: (ctx: { role: string | null }) => boolean;
}

declare module "@tanstack/react-router" {
  interface StaticDataRouteOption {
    nav?: NavEntry;
  }
  interface Register {
    router: AppRouter;
  }
}

/** What every route's `beforeLoad` can read: the session (App re-validates the routes when it changes). */
export interface RouterContext {
  session: Pick<Session, "status">;
}

const admins = ({ role }: { role: string | null }) => role === "admin";
const managers = ({ role }: { role: string | null }) => role === "manager" || role === "admin";
const curators = ({ role }: { role: string | null }) => role === "curator" || managers({ role });

/** A database id in a path: a positive integer written plainly ("07", "1e3", "0x10" do not match). */
export const idParam = z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,14}$/)), z.transform(Number));

/** An id param's parser: `false` (this route does not match, so the path is not found) unless it parses. */
function parseId<K extends string>(key: K) {
  return (raw: Record<K, string>): Record<K, number> | false => {
    const id = idParam.safeParse(raw[key]);
    return id.success ? ({ [key]: id.data } as Record<K, number>) : false;
  };
}
const projectParams = {
  parse: parseId("projectId"),
  stringify: (p: { projectId: number }) => ({ projectId: String(p.projectId) }),
};
const documentParams = {
  parse: parseId("documentId"),
  stringify: (p: { documentId: number }) => ({ documentId: String(p.documentId) }),
};
/** `?next=` of the sign-in pages; anything else in the query is dropped. */
const nextSearch = z.object({ next: z.catch(z.optional(z.string()), undefined) });
/** `?layer=` of the annotation page (which layer to open; checked against the role by the page). */
const layerSearch = z.object({ layer: z.catch(z.optional(z.string()), undefined) });

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: AppShell,
  notFoundComponent: NotFoundPage,
});

const guestRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "_guest",
  validateSearch: nextSearch,
  // already signed in (e.g. a "sign in again" link once the session is back): go where it points
  beforeLoad: ({ context, search }) => {
    if (context.session.status === "signed-in")
      throw redirect({ href: nextPath(search.next), replace: true });
  },
});

/**
 * Pages behind `_auth` render only for a signed-in user: between the session turning out signed out and
 * the guard's redirect (the router re-validates in an effect) the page would otherwise mount and send
 * requests that can only be refused, each a 401 in the console (issue 13 item 11).
 */
function SignedInOnly() {
  return useSession().status === "signed-in" ? <Outlet /> : null;
}

const authRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "_auth",
  component: SignedInOnly,
  beforeLoad: ({ context, location }) => {
    if (context.session.status !== "signed-out") return;
    const next = location.pathname + location.searchStr;
    throw redirect({ to: "/signin", search: next === "/" ? {} : { next }, replace: true });
  },
});

const signInRoute = createRoute({
  getParentRoute: () => guestRoute,
  path: "/signin",
  component: lazyRouteComponent(() => import("./routes/SignInPage"), "SignInPage"),
});
const registerRoute = createRoute({
  getParentRoute: () => guestRoute,
  path: "/register",
  component: lazyRouteComponent(() => import("./routes/SignInPage"), "RegisterPage"),
});

/** An invite link (signed in or not: whoever holds the link sets that account's password). */
const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/invite/$token",
  component: lazyRouteComponent(() => import("./routes/users/InvitePage"), "InvitePage"),
});
const projectsRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/",
  staticData: { nav: { label: "Projects", scope: "global" } },
  component: lazyRouteComponent(() => import("./routes/ProjectsPage"), "ProjectsPage"),
});
const usersRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/users",
  staticData: { nav: { label: "Users", scope: "global", visible: admins } },
  component: lazyRouteComponent(() => import("./routes/users/UsersPage"), "UsersPage"),
});
const projectRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/projects/$projectId",
  params: projectParams,
  staticData: { nav: { label: "Documents", scope: "project" } },
  component: lazyRouteComponent(() => import("./routes/ProjectPage"), "ProjectPage"),
});
const settingsRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/projects/$projectId/settings",
  params: projectParams,
  staticData: { nav: { label: "Settings", scope: "project", visible: managers } },
  component: lazyRouteComponent(() => import("./routes/SettingsPage"), "SettingsPage"),
});
const agreementRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/projects/$projectId/agreement",
  params: projectParams,
  staticData: { nav: { label: "Agreement", scope: "project", visible: curators } },
  component: lazyRouteComponent(() => import("./routes/agreement/AgreementPage"), "AgreementPage"),
});
const curationProgressRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/projects/$projectId/curation",
  params: projectParams,
  staticData: { nav: { label: "Curation", scope: "project", visible: curators } },
  component: lazyRouteComponent(
    () => import("./routes/curation/CurationProgressPage"),
    "CurationProgressPage",
  ),
});
const exportRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/projects/$projectId/export",
  params: projectParams,
  staticData: { nav: { label: "Export", scope: "project", visible: curators } },
  component: lazyRouteComponent(() => import("./routes/export/ExportPage"), "ExportPage"),
});
const annotateRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/documents/$documentId",
  params: documentParams,
  validateSearch: layerSearch,
  component: lazyRouteComponent(() => import("./routes/AnnotatePage"), "AnnotatePage"),
});
const curateRoute = createRoute({
  getParentRoute: () => authRoute,
  path: "/documents/$documentId/curate",
  params: documentParams,
  component: lazyRouteComponent(() => import("./routes/curation/CurationPage"), "CurationPage"),
});

/** The route tree. */
export const routeTree = rootRoute.addChildren([
  guestRoute.addChildren([signInRoute, registerRoute]),
  inviteRoute,
  authRoute.addChildren([
    projectsRoute,
    usersRoute,
    projectRoute,
    settingsRoute,
    agreementRoute,
    curationProgressRoute,
    exportRoute,
    annotateRoute,
    curateRoute,
  ]),
]);

/** The query string as plain strings, as the server and every link spell it (no JSON values). */
function parseSearch(search: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(search));
}
function stringifySearch(search: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A router over the route tree; `history` defaults to the browser's. */
export function createAppRouter(opts: { history?: RouterHistory } = {}) {
  return createRouter({
    routeTree,
    history: opts.history,
    context: { session: { status: "loading" } },
    parseSearch,
    stringifySearch,
    defaultPreload: "intent",
    // a new page instance per path, so state of one document never leaks into the next
    defaultRemountDeps: ({ params }) => params,
    scrollRestoration: true,
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
