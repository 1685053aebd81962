import { Link } from "@tanstack/react-router";
import { usePageTitle } from "../components/usePageTitle";

/** Shown for a path no route matches. */
export function NotFoundPage() {
  usePageTitle("Not found");
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to your projects</Link>.
      </p>
    </div>
  );
}
