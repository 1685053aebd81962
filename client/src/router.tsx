/**
 * A small history-API router: a route table of `{ path: "/projects/:projectId", component }`, links that
 * push history entries, and a hook for the current location. No dependency; pages are added by adding
 * one entry to the table (routeTable.tsx).
 */
import {
  type AnchorHTMLAttributes,
  type ComponentType,
  createContext,
  type MouseEvent,
  type ReactNode,
  useContext,
  useSyncExternalStore,
} from "react";

/** Props every routed page receives. */
export interface RouteProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

/** Where a route shows up in the navigation header. */
export interface NavEntry {
  label: string;
  /** "global": always (signed in); "project": beside the current project, `:projectId` filled in. */
  scope: "global" | "project";
  /** Shown only when this holds (e.g. managers only). */
  visible?: (ctx: { role: string | null }) => boolean;
}

export interface RouteDef {
  /** `/literal/:param` segments; a trailing `/*` matches the rest. */
  path: string;
  component: ComponentType<RouteProps>;
  /** Requires a signed-in user (others are sent to the sign-in page). */
  auth?: boolean;
  nav?: NavEntry;
}

export interface Match {
  route: RouteDef;
  params: Record<string, string>;
}

/** Matches one pattern against a pathname; the decoded params, or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const pat = pattern.split("/").filter(Boolean);
  const segs = pathname.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    if (p === "*") {
      params["*"] = segs.slice(i).map(safeDecode).join("/");
      return params;
    }
    const s = segs[i];
    if (s === undefined) return null;
    if (p.startsWith(":")) params[p.slice(1)] = safeDecode(s);
    else if (p !== s) return null;
  }
  return segs.length === pat.length ? params : null;
}

/** The first route of the table that matches, in table order. */
export function matchRoutes(routes: readonly RouteDef[], pathname: string): Match | null {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

/** Fills `:name` segments of a pattern. */
export function buildPath(pattern: string, params: Record<string, string | number>): string {
  return pattern
    .split("/")
    .map((seg) => (seg.startsWith(":") ? encodeURIComponent(String(params[seg.slice(1)] ?? "")) : seg))
    .join("/");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------- location ----------

const NAVIGATE_EVENT = "gloss:navigate";

/** Goes to `to` (path + optional query) without a page load. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: string;
  query: URLSearchParams;
}

function parseLocation(href: string): Location {
  const q = href.indexOf("?");
  const pathname = q < 0 ? href : href.slice(0, q);
  const search = q < 0 ? "" : href.slice(q);
  return { pathname, search, query: new URLSearchParams(search) };
}

/** The current location; re-renders on navigation and on back/forward. */
export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  return parseLocation(href);
}

// ---------- rendering ----------

const MatchContext = createContext<Match | null>(null);

/** The route that is being rendered (for the header: params, nav). */
export const useMatch = () => useContext(MatchContext);

/**
 * Renders the matching route of `routes`, or `notFound`. `guard` may replace a page (e.g. by a sign-in
 * redirect) before it renders.
 */
export function Router(props: {
  routes: readonly RouteDef[];
  notFound: ComponentType<RouteProps>;
  guard?: (match: Match, location: Location) => ReactNode | undefined;
  children?: (page: ReactNode, match: Match | null) => ReactNode;
}) {
  const location = useLocation();
  const match = matchRoutes(props.routes, location.pathname);
  let page: ReactNode;
  if (match) {
    const guarded = props.guard?.(match, location);
    const Page = match.route.component;
    // key: a new page instance per path, so state of one document never leaks into the next
    page = guarded ?? <Page key={location.pathname} params={match.params} query={location.query} />;
  } else {
    const NotFound = props.notFound;
    page = <NotFound params={{}} query={location.query} />;
  }
  return (
    <MatchContext.Provider value={match}>
      {props.children ? props.children(page, match) : page}
    </MatchContext.Provider>
  );
}

/** Whether a click should be left to the browser (new tab, download, …). */
function isModifiedClick(e: MouseEvent<HTMLAnchorElement>): boolean {
  return e.button !== 0 || e.metaKey || e.altKey || e.ctrlKey || e.shiftKey || e.defaultPrevented;
}

/** An anchor that navigates in-app; still a real link (open in new tab, copy address, keyboard Enter). */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      {...rest}
      href={to}
      onClick={(e) => {
        onClick?.(e);
        if (isModifiedClick(e) || rest.target) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
