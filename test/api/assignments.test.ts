/**
 * Assignments: explicit and automatic (balanced, idempotent), listing, removal, the annotator's queue
 * with its next document, and an annotator's own status.
 */
import type { Store } from "@gloss/server/db/store";
import type { ApiErrorBody, AssignmentDto, Role } from "@gloss/shared";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/http";
import { exec, row, rows } from "../helpers/query";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

interface QueueBody {
  queue: Array<{ documentId: number; name: string; status: string; updatedAt: number }>;
  total: number;
  remaining: number;
  next: number | null;
}

let server: TestServer;
let store: Store;
beforeAll(async () => {
  server = await startServer();
  store = server.store;
});
afterAll(() => server.close());

const clientOf = (u: SeededUser | null) => {
  const api = new ApiClient(server.url);
  api.cookie = u?.cookie ?? null;
  return api;
};

/** A manager, a curator, `annotators` annotators and `docs` unassigned documents. */
async function team(annotators = 3, docs = 5) {
  const manager = await addUser(store);
  const curator = await addUser(store);
  const anns: SeededUser[] = [];
  for (let i = 0; i < annotators; i++) anns.push(await addUser(store));
  const members: Array<{ user: SeededUser; role: Role }> = [
    { user: manager, role: "manager" },
    { user: curator, role: "curator" },
    ...anns.map((user) => ({ user, role: "annotator" as const })),
  ];
  const project = await addProject(store, { members });
  const docIds: number[] = [];
  for (let i = 0; i < docs; i++) docIds.push((await addDocument(store, project.id, `document ${i} text`)).id);
  return { manager, curator, anns, project, docIds, api: clientOf(manager) };
}

const rowsOf = (docIds: number[]) =>
  rows(store, ({ q, t: { assignments } }) =>
    q
      .select()
      .from(assignments)
      .where(inArray(assignments.documentId, docIds))
      .orderBy(assignments.documentId, assignments.userId),
  );

const loads = (rows: Array<{ userId: number }>, users: SeededUser[]) =>
  users.map((u) => rows.filter((r) => r.userId === u.id).length);

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("POST /projects/:id/assignments", () => {
  it("assigns documents × users explicitly; existing pairs are not duplicated", async () => {
    const { api, project, docIds, anns, curator } = await team();
    const url = `/api/projects/${project.id}/assignments`;
    const first = await api.json<{ assignments: AssignmentDto[] }>(
      "POST",
      url,
      { documentIds: [docIds[0], docIds[1]], userIds: [anns[0]!.id, curator.id] },
      201,
    );
    expect(first.assignments).toEqual([
      { documentId: docIds[0], userId: anns[0]!.id, status: "todo" },
      { documentId: docIds[0], userId: curator.id, status: "todo" },
      { documentId: docIds[1], userId: anns[0]!.id, status: "todo" },
      { documentId: docIds[1], userId: curator.id, status: "todo" },
    ]);
    const again = await api.json<{ assignments: AssignmentDto[] }>(
      "POST",
      url,
      { documentIds: [docIds[1], docIds[2]], userIds: [anns[0]!.id] },
      201,
    );
    expect(again.assignments).toEqual([{ documentId: docIds[2], userId: anns[0]!.id, status: "todo" }]);
    expect(await rowsOf(docIds)).toHaveLength(5);
  });

  it("unknown documents, documents of another project and non-members are a 400 naming them; nothing assigned", async () => {
    const { api, project, docIds, anns } = await team();
    const other = await team(1, 1);
    const stranger = await addUser(store);
    const res = await api.request("POST", `/api/projects/${project.id}/assignments`, {
      documentIds: [docIds[0], other.docIds[0], 99999999],
      userIds: [anns[0]!.id, stranger.id],
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.details).toEqual({ documentIds: [other.docIds[0], 99999999], userIds: [stranger.id] });
    expect(error.message).toContain(String(other.docIds[0]));
    expect(error.message).toContain(String(stranger.id));
    expect(await rowsOf(docIds)).toEqual([]);
    const empty = await api.request("POST", `/api/projects/${project.id}/assignments`, {
      documentIds: [],
      userIds: [1],
    });
    expect(empty.status).toBe(400);
  });

  it("auto: 5 documents × 2 per document over 3 annotators, loads within 1; a re-run creates nothing", async () => {
    const { api, project, docIds, anns, curator, manager } = await team(3, 5);
    const url = `/api/projects/${project.id}/assignments`;
    const res = await api.json<{ assignments: AssignmentDto[] }>(
      "POST",
      url,
      { auto: { perDocument: 2 } },
      201,
    );
    expect(res.assignments).toHaveLength(10);
    const stored = await rowsOf(docIds);
    expect(stored).toHaveLength(10);
    for (const id of docIds) {
      const users = stored.filter((r) => r.documentId === id).map((r) => r.userId);
      expect(new Set(users).size).toBe(2);
      expect(users.every((u) => anns.some((a) => a.id === u))).toBe(true); // annotators only
    }
    const l = loads(stored, anns);
    expect(Math.max(...l) - Math.min(...l)).toBeLessThanOrEqual(1);
    expect(l.reduce((a, b) => a + b)).toBe(10);
    expect(stored.some((r) => r.userId === curator.id || r.userId === manager.id)).toBe(false);

    const rerun = await api.json<{ assignments: AssignmentDto[] }>("POST", url, { auto: {} }, 201);
    expect(rerun.assignments).toEqual([]);
    expect(await rowsOf(docIds)).toEqual(stored);
  });

  it("auto is deterministic, uses the project's annotatorsPerDocument by default, and fills only missing slots", async () => {
    const { api, project, docIds, anns } = await team(3, 4);
    // doc 0 already has annotator 2; annotator 2 also carries extra load from doc 1
    await exec(store, ({ q, t: { assignments } }) =>
      q.insert(assignments).values([
        { documentId: docIds[0]!, userId: anns[2]!.id },
        { documentId: docIds[1]!, userId: anns[2]!.id },
      ]),
    );
    const res = await api.json<{ assignments: AssignmentDto[] }>(
      "POST",
      `/api/projects/${project.id}/assignments`,
      { auto: {} },
      201,
    );
    // default 2 per document: 8 slots, 2 taken → 6 created; lowest load first, ties by user id
    const [a, b] = anns.map((u) => u.id);
    expect(res.assignments.map((x) => [x.documentId, x.userId])).toEqual([
      [docIds[0], a],
      [docIds[1], b],
      [docIds[2], a],
      [docIds[2], b],
      [docIds[3], a],
      [docIds[3], b],
    ]);
    const l = loads(await rowsOf(docIds), anns);
    expect(Math.max(...l) - Math.min(...l)).toBeLessThanOrEqual(1);
  });

  it("auto refuses more per document than there are annotators, and a project without annotators", async () => {
    const { api, project, docIds } = await team(2, 2);
    const tooMany = await api.request("POST", `/api/projects/${project.id}/assignments`, {
      auto: { perDocument: 3 },
    });
    expect(tooMany.status).toBe(400);
    expect((await errorOf(tooMany)).message).toMatch(/perDocument is 3 but the project has 2 annotator/);
    const none = await team(0, 1);
    const res = await none.api.request("POST", `/api/projects/${none.project.id}/assignments`, { auto: {} });
    expect(res.status).toBe(400);
    expect(await rowsOf([...docIds, ...none.docIds])).toEqual([]);
  });

  it("audits explicit and automatic assignment", async () => {
    const { api, project, docIds, anns, manager } = await team(2, 2);
    await api.json(
      "POST",
      `/api/projects/${project.id}/assignments`,
      { documentIds: [docIds[0]], userIds: [anns[0]!.id] },
      201,
    );
    await api.json("POST", `/api/projects/${project.id}/assignments`, { auto: { perDocument: 1 } }, 201);
    const entries = await rows(store, ({ q, t: { auditLog } }) =>
      q
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.projectId, project.id), eq(auditLog.action, "assignments.create")))
        .orderBy(auditLog.id),
    );
    expect(entries.map((e) => [e.userId, e.details.mode, e.details.created])).toEqual([
      [manager.id, "explicit", 1],
      [manager.id, "auto", 1],
    ]);
  });
});

describe("GET and DELETE /projects/:id/assignments", () => {
  it("managers and curators see all assignments, annotators their own", async () => {
    const { api, project, anns, curator } = await team(2, 3);
    await api.json("POST", `/api/projects/${project.id}/assignments`, { auto: { perDocument: 1 } }, 201);
    const all = await api.get<{ assignments: AssignmentDto[] }>(`/api/projects/${project.id}/assignments`);
    expect(all.assignments).toHaveLength(3);
    expect(
      (
        await clientOf(curator).get<{ assignments: AssignmentDto[] }>(
          `/api/projects/${project.id}/assignments`,
        )
      ).assignments,
    ).toEqual(all.assignments);
    const own = await clientOf(anns[0]!).get<{ assignments: AssignmentDto[] }>(
      `/api/projects/${project.id}/assignments`,
    );
    expect(own.assignments.length).toBeGreaterThan(0);
    expect(own.assignments.every((a) => a.userId === anns[0]!.id)).toBe(true);
    expect(own.assignments).toEqual(all.assignments.filter((a) => a.userId === anns[0]!.id));
  });

  it("removes the listed pairs and returns them; documents must be in the project", async () => {
    const { api, project, docIds, anns } = await team(2, 2);
    const url = `/api/projects/${project.id}/assignments`;
    await api.json("POST", url, { documentIds: docIds, userIds: anns.map((a) => a.id) }, 201);
    const res = await api.json<{ assignments: AssignmentDto[] }>(
      "DELETE",
      url,
      { documentIds: [docIds[0]], userIds: anns.map((a) => a.id) },
      200,
    );
    expect(res.assignments.map((a) => [a.documentId, a.userId])).toEqual([
      [docIds[0], anns[0]!.id],
      [docIds[0], anns[1]!.id],
    ]);
    expect((await rowsOf(docIds)).map((r) => r.documentId)).toEqual([docIds[1], docIds[1]]);
    const other = await team(1, 1);
    const bad = await api.request("DELETE", url, { documentIds: [other.docIds[0]], userIds: [anns[0]!.id] });
    expect(bad.status).toBe(400);
  });
});

describe("queue and own status", () => {
  it("the queue lists the caller's documents in order; next is the first not done", async () => {
    const { api, project, docIds, anns } = await team(1, 3);
    await api.json(
      "POST",
      `/api/projects/${project.id}/assignments`,
      { documentIds: docIds, userIds: [anns[0]!.id] },
      201,
    );
    const me = clientOf(anns[0]!);
    const q1 = await me.get<QueueBody>(`/api/projects/${project.id}/queue`);
    expect(q1.queue.map((q) => [q.documentId, q.status])).toEqual(docIds.map((id) => [id, "todo"]));
    expect(q1.next).toBe(docIds[0]);

    const patched = await me.patch<AssignmentDto>(`/api/documents/${docIds[0]}/assignment`, {
      status: "done",
    });
    expect(patched).toEqual({ documentId: docIds[0], userId: anns[0]!.id, status: "done" });
    await me.patch(`/api/documents/${docIds[1]}/assignment`, { status: "in_progress" });
    const q2 = await me.get<QueueBody>(`/api/projects/${project.id}/queue`);
    expect(q2.queue.map((q) => q.status)).toEqual(["done", "in_progress", "todo"]);
    expect(q2.next).toBe(docIds[1]);
    expect([q2.total, q2.remaining]).toEqual([3, 2]);

    await me.patch(`/api/documents/${docIds[1]}/assignment`, { status: "done" });
    await me.patch(`/api/documents/${docIds[2]}/assignment`, { status: "done" });
    expect((await me.get<QueueBody>(`/api/projects/${project.id}/queue`)).next).toBeNull();
    // the manager has no assignments: an empty queue
    expect(await api.get<QueueBody>(`/api/projects/${project.id}/queue`)).toEqual({
      queue: [],
      total: 0,
      remaining: 0,
      next: null,
    });
  });

  it("PATCH /documents/:id/assignment: 404 without an own assignment, 400 for a bad status", async () => {
    const { project, docIds, anns, curator, api } = await team(2, 2);
    await api.json(
      "POST",
      `/api/projects/${project.id}/assignments`,
      { documentIds: [docIds[0]], userIds: [anns[0]!.id] },
      201,
    );
    const a0 = clientOf(anns[0]!);
    expect(
      (await a0.request("PATCH", `/api/documents/${docIds[0]}/assignment`, { status: "finished" })).status,
    ).toBe(400);
    expect(
      (await a0.request("PATCH", `/api/documents/${docIds[1]}/assignment`, { status: "done" })).status,
    ).toBe(404);
    expect(
      (
        await clientOf(anns[1]!).request("PATCH", `/api/documents/${docIds[0]}/assignment`, {
          status: "done",
        })
      ).status,
    ).toBe(404);
    expect(
      (await clientOf(curator).request("PATCH", `/api/documents/${docIds[0]}/assignment`, { status: "done" }))
        .status,
    ).toBe(404);
    const stored = await row(store, ({ q, t: { assignments } }) =>
      q.select().from(assignments).where(eq(assignments.documentId, docIds[0]!)),
    );
    expect(stored?.status).toBe("todo");
  });
});

describe("authorisation", () => {
  it("anonymous 401, non-members 404, annotators and curators 403 on writes", async () => {
    const { project, docIds, anns, curator } = await team(1, 1);
    const stranger = await addUser(store);
    const url = `/api/projects/${project.id}/assignments`;
    const body = { documentIds: docIds, userIds: [anns[0]!.id] };
    expect((await clientOf(null).request("POST", url, body)).status).toBe(401);
    expect((await clientOf(null).request("GET", url)).status).toBe(401);
    expect((await clientOf(null).request("GET", `/api/projects/${project.id}/queue`)).status).toBe(401);
    expect(
      (await clientOf(null).request("PATCH", `/api/documents/${docIds[0]}/assignment`, { status: "done" }))
        .status,
    ).toBe(401);
    for (const [method, path, b] of [
      ["POST", url, body],
      ["GET", url, undefined],
      ["DELETE", url, body],
      ["GET", `/api/projects/${project.id}/queue`, undefined],
      ["PATCH", `/api/documents/${docIds[0]}/assignment`, { status: "done" }],
    ] as const) {
      expect((await clientOf(stranger).request(method, path, b)).status, `${method} ${path}`).toBe(404);
    }
    for (const who of [anns[0]!, curator]) {
      expect((await clientOf(who).request("POST", url, body)).status).toBe(403);
      expect((await clientOf(who).request("POST", url, { auto: {} })).status).toBe(403);
      expect((await clientOf(who).request("DELETE", url, body)).status).toBe(403);
    }
    expect(await rowsOf(docIds)).toEqual([]);
    const admin = await addUser(store, { admin: true });
    expect((await clientOf(admin).request("POST", url, body)).status).toBe(201);
    expect(
      await rows(store, ({ q, t: { documents } }) =>
        q.select().from(documents).where(eq(documents.projectId, project.id)),
      ),
    ).toHaveLength(1);
  });
});
