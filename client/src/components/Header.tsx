/**
 * The navigation header: built from the route table's `nav` entries, so a new page (agreement, curation,
 * export) shows up by adding one entry there. Project entries appear beside the current project.
 */
import { buildPath, Link, type RouteDef, useLocation } from "../router";
import { useSession } from "../session";
import { useCurrentProject } from "./CurrentProject";

/** The header for the given route table. */
export function Header({ routes }: { routes: readonly RouteDef[] }) {
  const { user, signOut } = useSession();
  const project = useCurrentProject();
  const { pathname } = useLocation();
  const role = project?.role ?? (user?.isAdmin ? "admin" : null);

  const global = routes.filter((r) => r.nav?.scope === "global");
  const projectItems = project
    ? routes.filter((r) => r.nav?.scope === "project" && (r.nav.visible?.({ role }) ?? true))
    : [];

  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        Gloss
      </Link>
      {user ? (
        <nav aria-label="Main">
          <ul className="nav-list">
            {global.map((r) => (
              <li key={r.path}>
                <Link to={r.path} aria-current={pathname === r.path ? "page" : undefined}>
                  {r.nav!.label}
                </Link>
              </li>
            ))}
          </ul>
          {project ? (
            <ul className="nav-list" aria-label={`Project ${project.name}`}>
              <li className="nav-project">{project.name}</li>
              {projectItems.map((r) => {
                const to = buildPath(r.path, { projectId: project.id });
                return (
                  <li key={r.path}>
                    <Link to={to} aria-current={pathname === to ? "page" : undefined}>
                      {r.nav!.label}
                    </Link>
                  </li>
                );
              })}
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
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      ) : null}
    </header>
  );
}
