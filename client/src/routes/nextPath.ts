/** Where to go after signing in: `next` when it is a path on this site, else the projects. */
export function nextPath(next: string | null | undefined): string {
  // only local paths: "//evil.example" or "https://…" would be an open redirect
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}
