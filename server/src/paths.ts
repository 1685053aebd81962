import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The workspace root, found by walking up from this module to the folder holding pnpm-workspace.yaml.
 * This module runs from server/src/ (tsx, tests) and from the bundle in server/dist/ (`pnpm start`), so no
 * fixed number of `..` fits every caller that needs the repository's own files.
 */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(
        `Gloss: no pnpm-workspace.yaml above ${from}; run the server from inside its repository`,
      );
    }
  }
}

/** The repository root (the folder with pnpm-workspace.yaml). */
export const REPO_ROOT = findRepoRoot();

/** The committed drizzle-kit output for SQLite, applied at start-up. */
export const MIGRATIONS_DIR = path.join(REPO_ROOT, "migrations", "sqlite");

/** The committed drizzle-kit output for PostgreSQL (`GLOSS_DATABASE_URL=postgres://…`), applied at start-up. */
export const PG_MIGRATIONS_DIR = path.join(REPO_ROOT, "migrations", "postgres");

/** The built client (`pnpm build`), served by the app. */
export const CLIENT_DIST = path.join(REPO_ROOT, "client", "dist");
