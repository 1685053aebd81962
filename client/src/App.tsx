/** The application: API and session providers, the header, and the routed page. */
import { type ReactNode, useEffect, useRef } from "react";
import type { Fetcher } from "./api/client";
import { ApiProvider } from "./api/context";
import { CurrentProjectProvider } from "./components/CurrentProject";
import { Header } from "./components/Header";
import { type Location, type Match, navigate, Router, useLocation } from "./router";
import { NotFoundPage } from "./routes/NotFoundPage";
import { nextPath } from "./routes/SignInPage";
import { ROUTES } from "./routeTable";
import { SessionProvider, useSession } from "./session";

/** Replaces the current history entry with `to` once mounted. */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** Keeps signed-out users out of pages that need an account, and signed-in users off the sign-in page. */
function useGuard() {
  const session = useSession();
  return (match: Match, location: Location): ReactNode | undefined => {
    if (session.status === "loading") return <p className="page muted">Loading…</p>;
    if (match.route.auth && session.status === "signed-out") {
      const next = location.pathname + location.search;
      return <Redirect to={next === "/" ? "/signin" : `/signin?next=${encodeURIComponent(next)}`} />;
    }
    // already signed in (e.g. a "sign in again" link once the session is back): go where it points
    if (
      !match.route.auth &&
      session.status === "signed-in" &&
      /^\/(signin|register)$/.test(location.pathname)
    ) {
      return <Redirect to={nextPath(location.query)} />;
    }
    return undefined;
  };
}

/** Moves focus to the main region after in-app navigation, so screen readers start at the new page. */
function useFocusOnNavigate() {
  const ref = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every path change
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    ref.current?.focus({ preventScroll: true });
  }, [pathname]);
  return ref;
}

function Shell() {
  const guard = useGuard();
  const mainRef = useFocusOnNavigate();
  return (
    <Router routes={ROUTES} notFound={NotFoundPage} guard={guard}>
      {(page) => (
        <>
          <Header routes={ROUTES} />
          <main id="main" ref={mainRef} tabIndex={-1}>
            {page}
          </main>
        </>
      )}
    </Router>
  );
}

/** The whole app; `fetcher` replaces fetch in component tests. */
export function App({ fetcher }: { fetcher?: Fetcher }) {
  return (
    <ApiProvider fetcher={fetcher}>
      <SessionProvider>
        <CurrentProjectProvider>
          <Shell />
        </CurrentProjectProvider>
      </SessionProvider>
    </ApiProvider>
  );
}
