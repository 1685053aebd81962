/**
 * Documents, assignments and the lists the worker serves, over both databases (services/documents.ts,
 * assignments.ts, lists.ts): the all-or-nothing import with its duplicates and audit row, the listing with
 * paging, `q`, `status` and `importId`, one document, assignments (explicit, balanced automatic, listed,
 * removed, the queue, own status) with the same refusals, and `listRun` answering what the lists answer.
 */
import { createHash } from "node:crypto";
import { documentAccess, type ProjectAccess, projectAccess } from "@gloss/server/auth/access";
import { toUserDto } from "@gloss/server/auth/sessions";
import { all, call, execute, type Gen, get, run, type Store } from "@gloss/server/db/store";
import { ImportBatch } from "@gloss/server/import/batch";
import {
  assignAuto,
  assignExplicit,
  listAssignments,
  queueOf,
  removeAssignments,
  setOwnStatus,
} from "@gloss/server/services/assignments";
import { commitImport, getDocument, listDocuments } from "@gloss/server/services/documents";
import { listRun, runList } from "@gloss/server/services/lists";
import { createProject } from "@gloss/server/services/projects";
import type { UserDto } from "@gloss/shared";
import { asc, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BACKENDS, settle, useClosers } from "../helpers/backends";

const closers = useClosers();

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const page = { limit: 100, offset: 0 };

/** A batch of JSON records (as POST /projects/:id/documents with `{ documents }` gives). */
function batchOf(records: Array<{ text: string; name?: string; meta?: Record<string, unknown> }>) {
  const batch = new ImportBatch(1024 * 1024);
  batch.addRecords(records);
  return batch;
}

/** Imports records into a project and disposes of the batch. */
async function importRecords(
  store: Store,
  projectId: number,
  records: Array<{ text: string; name?: string; meta?: Record<string, unknown> }>,
  userId: number | null = null,
) {
  const batch = batchOf(records);
  try {
    return await call(store, commitImport, batch, { projectId, userId, via: "api" });
  } finally {
    batch.dispose();
  }
}

describe.each(BACKENDS)("on $name", (backend) => {
  const open = async () => {
    const { store, close } = await backend.open();
    closers.push(close);
    return store;
  };

  /** Users inserted directly (no password hashing), a project made by the first, members with roles. */
  async function seed(store: Store, roles: Record<string, "manager" | "curator" | "annotator" | null>) {
    const { projectMembers, users } = store.t;
    const made = await execute(
      store,
      all(
        store.q
          .insert(users)
          .values(
            Object.keys(roles).map((username) => ({ username, displayName: username, passwordHash: "x" })),
          )
          .returning(),
      ),
    );
    const byName = Object.fromEntries(made.map((u) => [u.username, toUserDto(u)])) as Record<string, UserDto>;
    const [first] = Object.keys(roles);
    const project = await call(store, createProject, byName[first!]!.id, {
      name: "Corpus",
      labels: [{ name: "A" }],
    });
    for (const [username, role] of Object.entries(roles)) {
      if (!role || username === first) continue;
      await execute(
        store,
        run(
          store.q
            .insert(projectMembers)
            .values({ projectId: project.id, userId: byName[username]!.id, role }),
        ),
      );
    }
    const access = (username: string) => call(store, projectAccess, byName[username]!, project.id);
    return { users: byName, project, access };
  }

  it("import: all or nothing, duplicates skipped with the id they repeat, text and sha256 exactly as given, audited", async () => {
    const store = await open();
    const { documents, imports, auditLog } = store.t;
    const { users, project } = await seed(store, { mia: "manager" });
    const texts = [
      "Ἐν ἀρχῇ ἦν ὁ λόγος 🙂\r\nline two\u0301  ",
      "plain text",
      "Ἐν ἀρχῇ ἦν ὁ λόγος 🙂\r\nline two\u0301  ", // the same text again: skipped, pointing at the first
      "  leading and trailing whitespace kept\n\n",
    ];
    const first = await importRecords(
      store,
      project.id,
      texts.map((text, i) => ({ text, name: `doc ${i}`, meta: { i, source: "test" } })),
      users.mia!.id,
    );
    const stored = await execute(
      store,
      all(
        store.q
          .select()
          .from(documents)
          .where(eq(documents.projectId, project.id))
          .orderBy(asc(documents.id)),
      ),
    );
    expect(stored.map((d) => [d.name, d.text, d.sha256, d.length, JSON.parse(d.meta), d.importId])).toEqual([
      ["doc 0", texts[0], sha256(texts[0]!), texts[0]!.length, { i: 0, source: "test" }, first.importId],
      ["doc 1", texts[1], sha256(texts[1]!), texts[1]!.length, { i: 1, source: "test" }, first.importId],
      ["doc 3", texts[3], sha256(texts[3]!), texts[3]!.length, { i: 3, source: "test" }, first.importId],
    ]);
    expect(first).toEqual({
      importId: first.importId,
      imported: {
        count: 3,
        first: [0, 1, 3].map((i, k) => ({ id: stored[k]!.id, name: `doc ${i}`, sha256: sha256(texts[i]!) })),
      },
      skipped: {
        count: 1,
        first: [
          { name: "doc 2", sha256: sha256(texts[0]!), existingId: stored[0]!.id, source: "body documents.2" },
        ],
      },
      documents: `/api/projects/${project.id}/documents?importId=${first.importId}`,
    });

    // a second import: one already in the project, one new, and the new one twice
    const second = await importRecords(store, project.id, [
      { text: "plain text", name: "again" },
      { text: "something new" },
      { text: "something new", name: "twice" },
    ]);
    const newId = second.imported.first[0]!.id;
    expect([second.imported, second.skipped]).toEqual([
      { count: 1, first: [{ id: newId, name: "document-2", sha256: sha256("something new") }] },
      {
        count: 2,
        first: [
          {
            name: "again",
            sha256: sha256("plain text"),
            existingId: stored[1]!.id,
            source: "body documents.0",
          },
          { name: "twice", sha256: sha256("something new"), existingId: newId, source: "body documents.2" },
        ],
      },
    ]);
    const recorded = await execute(store, all(store.q.select().from(imports).orderBy(asc(imports.id))));
    expect(recorded.map((r) => [r.id, r.projectId, r.userId, r.via, r.imported, r.skipped])).toEqual([
      [first.importId, project.id, users.mia!.id, "api", 3, 1],
      [second.importId, project.id, null, "api", 1, 2],
    ]);
    const audits = await execute(
      store,
      all(
        store.q
          .select()
          .from(auditLog)
          .where(eq(auditLog.action, "documents.import"))
          .orderBy(asc(auditLog.id)),
      ),
    );
    expect(audits.map((a) => [a.userId, a.projectId, a.target, a.details])).toEqual([
      [
        users.mia!.id,
        project.id,
        `project:${project.id}`,
        { via: "api", importId: first.importId, files: ["body"], imported: 3, skipped: 1 },
      ],
      [
        null,
        project.id,
        `project:${project.id}`,
        { via: "api", importId: second.importId, files: ["body"], imported: 1, skipped: 2 },
      ],
    ]);

    // all or nothing: a failure at the end of the transaction (here, the progress callback) stores nothing
    const counts = async () =>
      Promise.all([
        execute(store, get(store.q.select({ n: count() }).from(documents))).then((r) => r!.n),
        execute(store, get(store.q.select({ n: count() }).from(imports))).then((r) => r!.n),
        execute(store, get(store.q.select({ n: count() }).from(auditLog))).then((r) => r!.n),
      ]);
    const before = await counts();
    const batch = batchOf([{ text: "never stored" }, { text: "nor this" }]);
    try {
      await expect(
        call(store, commitImport, batch, {
          projectId: project.id,
          userId: null,
          via: "cli",
          onStored: (n) => {
            if (n === 2) throw new Error("disk full");
          },
        }),
      ).rejects.toThrow("disk full");
      // and a project that does not exist: 404
      expect(
        await settle(call(store, commitImport, batch, { projectId: 9999, userId: null, via: "cli" })),
      ).toBe("404 not_found: No such project");
    } finally {
      batch.dispose();
    }
    expect(await counts()).toEqual(before);
  });

  it("import: many documents, more than one insert's worth, each stored once with its progress reported", async () => {
    const store = await open();
    const { documents } = store.t;
    const { project } = await seed(store, { mia: "manager" });
    const records = Array.from({ length: 1234 }, (_, i) => ({
      text: `document number ${i % 1200}`,
      name: `n${i}`,
    }));
    const batch = batchOf(records);
    const progress: number[] = [];
    try {
      const result = await call(store, commitImport, batch, {
        projectId: project.id,
        userId: null,
        via: "cli",
        onStored: (n) => progress.push(n),
      });
      expect([result.imported.count, result.skipped.count]).toEqual([1200, 34]);
      expect(result.imported.first).toHaveLength(20);
      expect(result.skipped.first[0]).toMatchObject({ name: "n1200", source: "body documents.1200" });
    } finally {
      batch.dispose();
    }
    expect(progress.at(-1)).toBe(1234);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const rows = await execute(
      store,
      all(
        store.q
          .select({ id: documents.id, name: documents.name, text: documents.text })
          .from(documents)
          .orderBy(asc(documents.id)),
      ),
    );
    expect(rows.map((r) => r.name)).toEqual(records.slice(0, 1200).map((r) => r.name));
    expect(rows.every((r, i) => r.text === records[i]!.text)).toBe(true);
    const skipped = (await execute(store, get(store.q.select().from(store.t.imports))))!;
    expect([skipped.imported, skipped.skipped]).toEqual([1200, 34]);
  });

  it("a NUL in a text: SQLite stores it (its length counted past the NUL), PostgreSQL refuses the import", async () => {
    const store = await open();
    const { project, access } = await seed(store, { mia: "manager" });
    const text = "before\0after 🙂";
    const attempt = await settle(importRecords(store, project.id, [{ text: "fine" }, { text, name: "nul" }]));
    const listed = await call(store, listDocuments, await access("mia"), page);
    if (store.dialect === "pg") {
      expect(attempt).toBe(
        "400 invalid_import: body documents.1 (text): the text contains a NUL character (U+0000), which this database cannot store",
      );
      expect(listed.total).toBe(0);
    } else {
      expect(attempt).toMatchObject({ imported: { count: 2 } });
      expect(listed.documents.map((d) => [d.name, d.length])).toEqual([
        ["document-1", 4],
        ["nul", [...text].length],
      ]);
    }
  });

  it("listing: paging with a total, q in name or text (case-insensitive), status, importId; annotators see their own", async () => {
    const store = await open();
    const { users, project, access } = await seed(store, {
      mia: "manager",
      ann: "annotator",
      bob: "annotator",
    });
    const first = await importRecords(
      store,
      project.id,
      Array.from({ length: 12 }, (_, i) => ({
        text: i % 3 === 0 ? `The Minister spoke 🙂 (${i})` : `prices may rise (${i})`,
        name: `doc-${String(i).padStart(2, "0")}`,
      })),
    );
    const second = await importRecords(store, project.id, [{ text: "Zebra crossing", name: "late" }]);
    const manager = await access("mia");
    const all13 = await call(store, listDocuments, manager, page);
    expect(all13.total).toBe(13);
    const ids = all13.documents.map((d) => d.id);
    expect(all13.documents[0]).toEqual({
      id: ids[0],
      projectId: project.id,
      name: "doc-00",
      sha256: sha256("The Minister spoke 🙂 (0)"),
      length: [..."The Minister spoke 🙂 (0)"].length,
      createdAt: expect.any(Number),
      assignments: [],
      curation: "todo",
    });
    const paged = await call(store, listDocuments, manager, { limit: 5, offset: 10 });
    expect([paged.total, paged.documents.map((d) => d.name)]).toEqual([13, ["doc-10", "doc-11", "late"]]);
    const minister = await call(store, listDocuments, manager, { ...page, q: "MINISTER" });
    expect([minister.total, minister.documents.map((d) => d.name)]).toEqual([
      4,
      ["doc-00", "doc-03", "doc-06", "doc-09"],
    ]);
    const byName = await call(store, listDocuments, manager, { ...page, q: "Doc-1" });
    expect(byName.documents.map((d) => d.name)).toEqual(["doc-10", "doc-11"]);
    const byImport = await call(store, listDocuments, manager, { ...page, importId: second.importId });
    expect([byImport.total, byImport.documents.map((d) => d.name)]).toEqual([1, ["late"]]);
    expect((await call(store, listDocuments, manager, { ...page, importId: first.importId })).total).toBe(12);

    // assignments: ann has doc-00..doc-03, bob doc-02..doc-04; ann marks doc-01 done
    await call(store, assignExplicit, manager, ids.slice(0, 4), [users.ann!.id]);
    await call(store, assignExplicit, manager, ids.slice(2, 5), [users.bob!.id]);
    const ann = await access("ann");
    await call(store, setOwnStatus, await call(store, documentAccess, users.ann!, ids[1]!), "done");
    const annSees = await call(store, listDocuments, ann, page);
    expect([annSees.total, annSees.documents.map((d) => [d.name, d.assignments])]).toEqual([
      4,
      [
        ["doc-00", [{ userId: users.ann!.id, username: "ann", status: "todo" }]],
        ["doc-01", [{ userId: users.ann!.id, username: "ann", status: "done" }]],
        ["doc-02", [{ userId: users.ann!.id, username: "ann", status: "todo" }]],
        ["doc-03", [{ userId: users.ann!.id, username: "ann", status: "todo" }]],
      ],
    ]);
    const managerSees = await call(store, listDocuments, manager, { limit: 2, offset: 2 });
    expect(managerSees.documents.map((d) => d.assignments.map((a) => a.username))).toEqual([
      ["ann", "bob"],
      ["ann", "bob"],
    ]);
    // status: the caller's own for annotators, any assignment for the others
    expect((await call(store, listDocuments, ann, { ...page, status: "todo" })).total).toBe(3);
    expect((await call(store, listDocuments, await access("bob"), { ...page, status: "done" })).total).toBe(
      0,
    );
    expect(
      (await call(store, listDocuments, manager, { ...page, status: "done" })).documents.map((d) => d.name),
    ).toEqual(["doc-01"]);
    expect((await call(store, listDocuments, manager, { ...page, status: "todo" })).total).toBe(4);

    // one document: its exact text, meta and code-point length; an annotator sees only their assignment
    const one = await call(store, getDocument, await call(store, documentAccess, users.ann!, ids[3]!));
    expect(one).toEqual({
      id: ids[3],
      projectId: project.id,
      name: "doc-03",
      sha256: sha256("The Minister spoke 🙂 (3)"),
      length: [..."The Minister spoke 🙂 (3)"].length,
      createdAt: expect.any(Number),
      assignments: [{ userId: users.ann!.id, username: "ann", status: "todo" }],
      curation: "todo",
      text: "The Minister spoke 🙂 (3)",
      meta: {},
    });
    const asManager = await call(store, getDocument, await call(store, documentAccess, users.mia!, ids[3]!));
    expect(asManager.assignments.map((a) => a.username)).toEqual(["ann", "bob"]);
    expect(await settle(call(store, documentAccess, users.ann!, ids[4]!))).toBe(
      "404 not_found: No such document",
    );
  });

  it("assignments: explicit and automatic, listed, removed, the queue and own status; the same refusals", async () => {
    const store = await open();
    const { auditLog } = store.t;
    const { users, project, access } = await seed(store, {
      mia: "manager",
      ann: "annotator",
      bob: "annotator",
      cat: "annotator",
      out: null,
    });
    await importRecords(
      store,
      project.id,
      Array.from({ length: 6 }, (_, i) => ({ text: `text ${i}`, name: i % 2 ? `odd ${i}` : `even ${i}` })),
    );
    const manager = await access("mia");
    const ids = (await call(store, listDocuments, manager, page)).documents.map((d) => d.id);
    const [ann, bob, cat] = [users.ann!.id, users.bob!.id, users.cat!.id];

    // explicit: every document × every user; pairs that exist are left alone
    const made = await call(store, assignExplicit, manager, [ids[1]!, ids[0]!, ids[1]!], [bob, ann]);
    expect(made).toEqual([
      { documentId: ids[1], userId: bob, status: "todo" },
      { documentId: ids[1], userId: ann, status: "todo" },
      { documentId: ids[0], userId: bob, status: "todo" },
      { documentId: ids[0], userId: ann, status: "todo" },
    ]);
    expect(await call(store, assignExplicit, manager, [ids[0]!, ids[2]!], [ann])).toEqual([
      { documentId: ids[2], userId: ann, status: "todo" },
    ]);
    expect(await settle(call(store, assignExplicit, manager, [ids[0]!, 9999], [ann, users.out!.id]))).toBe(
      `400 bad_request: Unknown ids: documents 9999 are not in this project; users ${users.out!.id} are not members of this project`,
    );

    // automatic: the missing slots go to the least loaded annotators, and running it again makes nothing
    expect(await settle(call(store, assignAuto, manager, 4))).toBe(
      "400 bad_request: perDocument is 4 but the project has 3 annotator(s): add annotators or lower perDocument",
    );
    const auto = await call(store, assignAuto, manager, 2);
    // loads before: ann 3, bob 2, cat 0; documents 0 and 1 are full, 2 has ann; ties go to the lower user id
    expect(auto.map((a) => [ids.indexOf(a.documentId), a.userId])).toEqual([
      [2, cat],
      [3, cat],
      [3, bob],
      [4, cat],
      [4, ann],
      [5, bob],
      [5, cat],
    ]);
    expect(await call(store, assignAuto, manager, 2)).toEqual([]);
    const creates = await execute(
      store,
      all(
        store.q
          .select()
          .from(auditLog)
          .where(eq(auditLog.action, "assignments.create"))
          .orderBy(asc(auditLog.id)),
      ),
    );
    expect(creates.map((a) => a.details)).toEqual([
      { mode: "explicit", documents: 2, users: 2, created: 4 },
      { mode: "explicit", documents: 2, users: 1, created: 1 },
      { mode: "auto", perDocument: 2, created: 7 },
      { mode: "auto", perDocument: 2, created: 0 },
    ]);

    // the list: by document then user, paged, filtered; an annotator sees their own
    const listed = await call(store, listAssignments, manager, { limit: 3, offset: 1 });
    expect(listed).toEqual({
      assignments: [
        { documentId: ids[0], userId: bob, status: "todo" },
        { documentId: ids[1], userId: ann, status: "todo" },
        { documentId: ids[1], userId: bob, status: "todo" },
      ],
      total: 12,
    });
    expect((await call(store, listAssignments, manager, { ...page, userId: cat })).total).toBe(4);
    const odd = await call(store, listAssignments, manager, { ...page, q: "ODD" });
    expect([odd.total, new Set(odd.assignments.map((a) => ids.indexOf(a.documentId)))]).toEqual([
      6,
      new Set([1, 3, 5]),
    ]);
    const annAccess = await access("ann");
    expect(
      (await call(store, listAssignments, annAccess, page)).assignments.map((a) => ids.indexOf(a.documentId)),
    ).toEqual([0, 1, 2, 4]);

    // the queue and own status
    const docOf = (i: number) => call(store, documentAccess, users.ann!, ids[i]!);
    expect(await call(store, setOwnStatus, await docOf(0), "done")).toEqual({
      documentId: ids[0],
      userId: ann,
      status: "done",
    });
    await call(store, setOwnStatus, await docOf(1), "in_progress");
    const queue = await call(store, queueOf, annAccess, { limit: 2, offset: 0 });
    expect(queue).toEqual({
      queue: [
        { documentId: ids[0], name: "even 0", status: "done", updatedAt: expect.any(Number) },
        { documentId: ids[1], name: "odd 1", status: "in_progress", updatedAt: expect.any(Number) },
      ],
      total: 4,
      remaining: 3,
      next: ids[1],
    });
    const filtered = await call(store, queueOf, annAccess, { ...page, status: "todo", q: "EVEN" });
    expect([filtered.queue.map((q) => q.name), filtered.total, filtered.remaining, filtered.next]).toEqual([
      ["even 2", "even 4"],
      2,
      3,
      ids[1],
    ]);
    const managerAccessDoc = await call(store, documentAccess, users.mia!, ids[0]!);
    expect(await settle(call(store, setOwnStatus, managerAccessDoc, "done"))).toBe(
      "404 not_found: You have no assignment for this document",
    );
    const emptyQueue = await call(store, queueOf, manager, page);
    expect(emptyQueue).toEqual({ queue: [], total: 0, remaining: 0, next: null });

    // removal: the documents × users product, answered in the order asked; unknown documents refused
    const removed = await call(
      store,
      removeAssignments,
      manager,
      [ids[5]!, ids[0]!],
      [ann, cat, users.out!.id],
    );
    expect(removed).toEqual([
      { documentId: ids[5], userId: cat, status: "todo" },
      { documentId: ids[0], userId: ann, status: "done" },
    ]);
    expect(await call(store, removeAssignments, manager, [ids[5]!], [ann])).toEqual([]);
    expect(await settle(call(store, removeAssignments, manager, [9999], [ann]))).toBe(
      "400 bad_request: Unknown ids: documents 9999 are not in this project",
    );
    const deletes = await execute(
      store,
      all(
        store.q
          .select()
          .from(auditLog)
          .where(eq(auditLog.action, "assignments.delete"))
          .orderBy(asc(auditLog.id)),
      ),
    );
    expect(deletes.map((a) => [a.userId, a.projectId, a.details])).toEqual([
      [users.mia!.id, project.id, { documents: 2, users: 3, removed: 2 }],
      [users.mia!.id, project.id, { documents: 1, users: 1, removed: 0 }],
    ]);
    expect((await call(store, listAssignments, manager, page)).total).toBe(10);

    // no annotators: automatic assignment is refused
    await execute(
      store,
      run(store.q.delete(store.t.projectMembers).where(eq(store.t.projectMembers.role, "annotator"))),
    );
    expect(await settle(call(store, assignAuto, manager))).toBe(
      "400 bad_request: The project has no annotators to assign documents to",
    );
  });

  it("the lists the worker serves: listRun answers what each list answers (runList too, on SQLite)", async () => {
    const store = await open();
    const { users, project, access } = await seed(store, { mia: "manager", ann: "annotator" });
    await importRecords(
      store,
      project.id,
      Array.from({ length: 5 }, (_, i) => ({ text: `text ${i}`, name: `n${i}` })),
    );
    const manager = await access("mia");
    const ids = (await call(store, listDocuments, manager, page)).documents.map((d) => d.id);
    await call(store, assignExplicit, manager, ids.slice(1), [users.ann!.id]);
    const ann: ProjectAccess = await access("ann");
    const cases = [
      [manager, "documents", { limit: 2, offset: 1, q: "TEXT" }],
      [ann, "documents", page],
      [manager, "assignments", { limit: 3, offset: 1 }],
      [ann, "queue", { limit: 2, offset: 0 }],
    ] as const;
    const direct = {
      documents: listDocuments,
      assignments: listAssignments,
      queue: queueOf,
    } as const;
    for (const [who, name, query] of cases) {
      const list = direct[name] as (s: Store, a: ProjectAccess, q: unknown) => Gen<unknown>;
      const expected = await call(store, list, who, query);
      expect(await call(store, listRun, name, who, query)).toEqual(expected);
      if (store.dialect === "sqlite") expect(runList(store.q, name, who, query)).toEqual(expected);
    }
    expect(await call(store, listRun, "queue", ann, page)).toMatchObject({
      total: 4,
      remaining: 4,
      next: ids[1],
    });
  });
});
