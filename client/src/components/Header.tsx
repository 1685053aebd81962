/**
 * The navigation header: built from the routes' `staticData.nav` entries (routeTree.tsx), so a new page
 * (agreement, curation, export) shows up by giving its route one. Project entries appear beside the
 * current project.
 */
import { type AnyRoute, Link, useRouter } from "@tanstack/react-router";
import { useSignOut } from "../api/mutations";
import { useSession } from "../session";
import { useCurrentProject } from "./CurrentProject";

/** Only the current page itself is marked current (not "/" on every page). */
const EXACT = { exact: true, includeSearch: false } as const;

/** The header. */
export function Header() {
  const { user } = useSession();
  const signOut = useSignOut();
  const project = useCurrentProject();
  const router = useRouter();
  const role = project?.role ?? (user?.isAdmin ? "admin" : null);

  const routes = (Object.values(router.routesById) as AnyRoute[]).flatMap((r) => {
    const nav = r.options.staticData?.nav;
    return nav ? [{ id: r.id as string, path: r.fullPath as string, nav }] : [];
  });
  // global entries follow the instance role (the Users page: administrators), whatever the project
  const instanceRole = user?.isAdmin ? "admin" : null;
  const global = routes.filter(
    (r) => r.nav.scope === "global" && (r.nav.visible?.({ role: instanceRole }) ?? true),
  );
  const projectItems = project
    ? routes.filter((r) => r.nav.scope === "project" && (r.nav.visible?.({ role }) ?? true))
    : [];

  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand" activeOptions={EXACT}>
        Gloss
      </Link>
      {user ? (
        <nav aria-label="Main">
          <ul className="nav-list">
            {global.map((r) => (
              <li key={r.id}>
                <Link to={r.path as "/"} activeOptions={EXACT}>
                  {r.nav.label}
                </Link>
              </li>
            ))}
          </ul>
          {project ? (
            <ul className="nav-list" aria-label={`Project ${project.name}`}>
              <li className="nav-project">{project.name}</li>
              {projectItems.map((r) => (
                <li key={r.id}>
                  <Link
                    to={r.path as "/projects/$projectId"}
                    params={{ projectId: project.id }}
                    activeOptions={EXACT}
                  >
                    {r.nav.label}
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
        </nav>
      ) : null}
      {user ? (
        <div className="header-user">
          <span>
            {user.displayName || user.username}
            {user.isAdmin ? <span className="muted"> (admin)</span> : null}
          </span>
          <button
            type="button"
            className="link-button"
            disabled={signOut.isPending}
            onClick={() => signOut.mutate()}
          >
            Sign out
          </button>
        </div>
      ) : null}
    </header>
  );
}
