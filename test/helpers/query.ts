/**
 * A test's own reads through the store, on either database: `await rows(server.store, (s) =>
 * s.q.select().from(s.t.users))` builds the drizzle query with the store's tables (`s.t`, never the
 * imported SQLite schema: PostgreSQL has table objects of its own) and runs it.
 */
import { all, call, get, run, type Store } from "@gloss/server/db/store";

/** Every row of the query `build` makes. */
export function rows<T>(store: Store, build: (s: Store) => { all(): T[] }): Promise<T[]> {
  return call(store, function* (s) {
    return yield* all(build(s));
  });
}

/** The first row of the query `build` makes (undefined when there is none). */
export function row<T>(store: Store, build: (s: Store) => { get(): T | undefined }): Promise<T | undefined> {
  return call(store, function* (s) {
    return yield* get(build(s));
  });
}

/** Runs the insert, update or delete `build` makes. */
export function exec(store: Store, build: (s: Store) => { run(): unknown }): Promise<void> {
  return call(store, function* (s) {
    yield* run(build(s));
  });
}
