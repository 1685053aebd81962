/** Sign in and create an account. The first account on an instance becomes its administrator. */

import { getRouteApi, Link } from "@tanstack/react-router";
import type { FormEvent } from "react";
import { useRegister, useSignIn } from "../api/mutations";
import { MutationError } from "../components/MutationStatus";
import { NewPasswordField } from "../components/NewPasswordField";
import { usePageTitle } from "../components/usePageTitle";
import { nextPath } from "./nextPath";

const guest = getRouteApi("/_guest");

/** The sign-in page. */
export function SignInPage() {
  usePageTitle("Sign in");
  const signIn = useSignIn();
  const { next } = guest.useSearch();
  // signed in: the guest route's guard takes the user on to `next` (routeTree.tsx); busy until then
  const busy = signIn.isPending || signIn.isSuccess;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    signIn.mutate({ username: String(form.get("username")), password: String(form.get("password")) });
  };

  return (
    <section className="auth-card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <form onSubmit={onSubmit} className="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus maxLength={64} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required maxLength={1024} />
        </label>
        <MutationError mutation={signIn} />
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
  const register = useRegister();
  // signed in: the guest route's guard takes the user on to `next` (routeTree.tsx); busy until then
  const busy = register.isPending || register.isSuccess;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const displayName = String(form.get("displayName") ?? "").trim();
    register.mutate({
      username: String(form.get("username")),
      password: String(form.get("password")),
      ...(displayName ? { displayName } : {}),
    });
  };

  return (
    <section className="auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <p className="muted">The first account created on this instance becomes its administrator.</p>
      <form onSubmit={onSubmit} className="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus maxLength={64} />
          <span className="hint">Letters, digits, “_”, “.” and “-”.</span>
        </label>
        <label>
          <span>
            Display name <span className="muted">(optional)</span>
          </span>
          <input name="displayName" autoComplete="name" maxLength={128} />
        </label>
        <NewPasswordField ruleId="password-rule" />
        <MutationError mutation={register} />
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
