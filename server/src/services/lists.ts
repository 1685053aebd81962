/**
 * The project lists whose queries scan a whole project (every document, every assignment: ≈0.1–0.8 s of
 * SQLite at 100,000 documents, a text search the most), read in the worker thread on its own read-only
 * connection so that a page of them never holds the event loop. With no worker (an in-memory database, the
 * tests) they are read here. The functions are pure reads of the database given; the worker sees every
 * commit made before the job was sent (WAL), so a list is as fresh as one read on the main thread.
 */
import type { ListAssignmentsQuery, ListDocumentsQuery, QueueQuery } from "@gloss/shared";
import type { ProjectAccess } from "../auth/access";
import type { Deps } from "../context";
import type { Db } from "../db/client";
import type { ListName } from "./agreement/protocol";
import { agreementService } from "./agreement/service";
import { listAssignments, queueOf } from "./assignments";
import { listDocuments } from "./documents";

/** Each list by name, with its query and answer types. */
export const LISTS = {
  documents: (db: Db, access: ProjectAccess, query: ListDocumentsQuery) => listDocuments(db, access, query),
  assignments: (db: Db, access: ProjectAccess, query: ListAssignmentsQuery) =>
    listAssignments(db, access, query),
  queue: (db: Db, access: ProjectAccess, query: QueueQuery) => queueOf(db, access, query),
} satisfies Record<ListName, (db: Db, access: ProjectAccess, query: never) => unknown>;

type Lists = typeof LISTS;

/** A page of list `name`, read in the worker thread when there is one. */
export async function readList<N extends ListName>(
  deps: Pick<Deps, "db" | "log">,
  name: N,
  access: ProjectAccess,
  query: Parameters<Lists[N]>[2],
): Promise<ReturnType<Lists[N]>> {
  const worker = agreementService(deps.db, deps.log).worker;
  if (worker) return (await worker.list(name, access, query)) as ReturnType<Lists[N]>;
  return (LISTS[name] as (db: Db, a: ProjectAccess, q: typeof query) => ReturnType<Lists[N]>)(
    deps.db,
    access,
    query,
  );
}

/** Runs list `name` on `db` (the worker's side). */
export function runList(db: Db, name: ListName, access: ProjectAccess, query: unknown): unknown {
  return (LISTS[name] as (db: Db, a: ProjectAccess, q: unknown) => unknown)(db, access, query);
}
