/**
 * The project lists whose queries scan a whole project (every document, every assignment: ≈0.1–0.8 s of
 * SQLite at 100,000 documents, a text search the most), read in the worker thread on its own read-only
 * connection so that a page of them never holds the event loop. With no worker (an in-memory database, the
 * tests) they are read here. The lists are pure reads of the store given (generators, the same on SQLite
 * and PostgreSQL); the worker sees every commit made before the job was sent (WAL), so a list is as fresh
 * as one read on the main thread.
 */
import type { ListAssignmentsQuery, ListDocumentsQuery, QueueQuery } from "@gloss/shared";
import type { ProjectAccess } from "../auth/access";
import type { Deps } from "../context";
import type { Db } from "../db/client";
import { call, callSync, type Gen, type Store } from "../db/store";
import type { ListName } from "./agreement/protocol";
import { agreementService } from "./agreement/service";
import { listAssignments, queueOf } from "./assignments";
import { listDocuments } from "./documents";

/** Each list by name, with its query and answer types. */
export const LISTS = {
  documents: (store: Store, access: ProjectAccess, query: ListDocumentsQuery) =>
    listDocuments(store, access, query),
  assignments: (store: Store, access: ProjectAccess, query: ListAssignmentsQuery) =>
    listAssignments(store, access, query),
  queue: (store: Store, access: ProjectAccess, query: QueueQuery) => queueOf(store, access, query),
} satisfies Record<ListName, (store: Store, access: ProjectAccess, query: never) => Gen<unknown>>;

type Lists = typeof LISTS;

/** The query list `name` takes. */
export type ListQuery<N extends ListName> = Parameters<Lists[N]>[2];

/** The page list `name` answers. */
export type ListPage<N extends ListName> = ReturnType<Lists[N]> extends Gen<infer T> ? T : never;

/** A page of list `name`, read in the worker thread when there is one. */
export async function readList<N extends ListName>(
  deps: Pick<Deps, "store" | "log">,
  name: N,
  access: ProjectAccess,
  query: ListQuery<N>,
): Promise<ListPage<N>> {
  const worker = agreementService(deps.store, deps.log).worker;
  if (worker) return (await worker.list(name, access, query)) as ListPage<N>;
  return (await call(deps.store, listRun, name, access, query)) as ListPage<N>;
}

/** List `name` on any store, as a generator: what the worker runs (`execute(store, listRun(...))`). */
export function listRun(store: Store, name: ListName, access: ProjectAccess, query: unknown): Gen<unknown> {
  return (LISTS[name] as (s: Store, a: ProjectAccess, q: unknown) => Gen<unknown>)(store, access, query);
}

/** Runs list `name` on a SQLite `db`, synchronously (the worker's side until it runs `listRun`). */
export function runList(db: Db, name: ListName, access: ProjectAccess, query: unknown): unknown {
  return callSync(db, listRun, name, access, query);
}
