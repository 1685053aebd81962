/** Sign in and create an account. The first account on an instance becomes its administrator. */
import { getRouteApi, Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ErrorMessage } from "../components/ErrorMessage";
import { usePageTitle } from "../components/usePageTitle";
import { useSession } from "../session";
import { nextPath } from "./nextPath";

const guest = getRouteApi("/_guest");

/** The sign-in page. */
export function SignInPage() {
  usePageTitle("Sign in");
  const { signIn } = useSession();
  const { next } = guest.useSearch();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn({ username: String(form.get("username")), password: String(form.get("password")) });
      // signed in: the guest route's guard takes the user on to `next` (routeTree.tsx)
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section className="auth-card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <form onSubmit={onSubmit} className="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here?{" "}
        <Link to="/register" search={next ? { next: nextPath(next) } : {}}>
          Create an account
        </Link>
      </p>
    </section>
  );
}

/** The registration page. */
export function RegisterPage() {
  usePageTitle("Create account");
  const { register } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const displayName = String(form.get("displayName") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      await register({
        username: String(form.get("username")),
        password: String(form.get("password")),
        ...(displayName ? { displayName } : {}),
      });
      // signed in: the guest route's guard takes the user on to `next` (routeTree.tsx)
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section className="auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <p className="muted">The first account created on this instance becomes its administrator.</p>
      <form onSubmit={onSubmit} className="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus />
          <span className="hint">Letters, digits, “_”, “.” and “-”.</span>
        </label>
        <label>
          <span>
            Display name <span className="muted">(optional)</span>
          </span>
          <input name="displayName" autoComplete="name" />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" required />
          <span className="hint">At least 8 characters.</span>
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account?{" "}
        <Link to="/signin" search={{}}>
          Sign in
        </Link>
      </p>
    </section>
  );
}
