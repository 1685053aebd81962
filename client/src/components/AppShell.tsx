/** The layout of every page: the header, and the routed page in the main region. */
import { Outlet, useLocation } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { useSession } from "../session";
import { Header } from "./Header";

/** Moves focus to the main region after in-app navigation, so screen readers start at the new page. */
function useFocusOnNavigate() {
  const ref = useRef<HTMLElement>(null);
  const pathname = useLocation({ select: (l) => l.pathname });
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

/** The root route's component. */
export function AppShell() {
  const { status } = useSession();
  const mainRef = useFocusOnNavigate();
  return (
    <>
      <Header />
      <main id="main" ref={mainRef} tabIndex={-1}>
        {status === "loading" ? <p className="page muted">Loading…</p> : <Outlet />}
      </main>
    </>
  );
}
