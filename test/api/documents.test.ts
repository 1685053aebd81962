/**
 * GET /projects/:id/documents (filters, search, paging, per-annotator assignments, curation) and
 * GET /documents/:id (exact text, meta, code point length), with who may see what.
 */
import type { Store } from "@gloss/server/db/store";
import type { ApiErrorBody, DocumentDto, DocumentSummaryDto, Role } from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../helpers/backend";
import { ApiClient } from "../helpers/http";
import { exec, row } from "../helpers/query";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

interface ListBody {
  documents: DocumentSummaryDto[];
  total: number;
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

/** A project with a manager, a curator, two annotators and three documents (A1 gets 0 and 1, A2 gets 1 and 2). */
async function team() {
  const users = {
    manager: await addUser(store),
    curator: await addUser(store),
    a1: await addUser(store, { username: `ann1-${Math.random().toString(36).slice(2, 8)}` }),
    a2: await addUser(store, { username: `ann2-${Math.random().toString(36).slice(2, 8)}` }),
    stranger: await addUser(store),
    admin: await addUser(store, { admin: true }),
  };
  const members: Array<{ user: SeededUser; role: Role }> = [
    { user: users.manager, role: "manager" },
    { user: users.curator, role: "curator" },
    { user: users.a1, role: "annotator" },
    { user: users.a2, role: "annotator" },
  ];
  const project = await addProject(store, { members });
  const docs = [
    await addDocument(store, project.id, "The Minister said the plan will work.", {
      name: "alpha",
      assignTo: [users.a1],
    }),
    await addDocument(store, project.id, "Critics denied the claim 😀 flatly.", {
      name: "Beta report",
      assignTo: [users.a1, users.a2],
    }),
    await addDocument(store, project.id, "Speculation about the budget.", {
      name: "gamma",
      assignTo: [users.a2],
    }),
  ];
  return { users, project, docs };
}

const list = (u: SeededUser, projectId: number, query = "") =>
  clientOf(u).get<ListBody>(`/api/projects/${projectId}/documents${query}`);

describe("GET /projects/:id/documents", () => {
  it("managers, curators and admins see every document with every assignment and the curation status", async () => {
    const { users, project, docs } = await team();
    await exec(store, ({ q, t: { curations } }) =>
      q.insert(curations).values({ documentId: docs[2]!.id, status: "done" }),
    );
    await exec(store, ({ q, t: { assignments } }) =>
      q
        .update(assignments)
        .set({ status: "done" })
        .where(and(eq(assignments.documentId, docs[1]!.id), eq(assignments.userId, users.a2.id))),
    );
    for (const who of [users.manager, users.curator, users.admin]) {
      const body = await list(who, project.id);
      expect(body.total).toBe(3);
      expect(body.documents.map((d) => d.name)).toEqual(["alpha", "Beta report", "gamma"]);
      const beta = body.documents[1]!;
      expect(beta).toMatchObject({ id: docs[1]!.id, projectId: project.id, curation: "todo" });
      expect(beta.assignments).toEqual(
        [
          { userId: users.a1.id, username: users.a1.username, status: "todo" },
          { userId: users.a2.id, username: users.a2.username, status: "done" },
        ].sort((a, b) => a.username.localeCompare(b.username)),
      );
      expect(body.documents[2]!.curation).toBe("done");
      // length in code points: the emoji counts once
      expect(beta.length).toBe([...docs[1]!.text].length);
      expect(beta.length).toBe(docs[1]!.text.length - 1);
      expect(beta).not.toHaveProperty("text");
    }
  });

  it("annotators see only the documents assigned to them, and only their own assignment on each", async () => {
    const { users, project, docs } = await team();
    const a1 = await list(users.a1, project.id);
    expect(a1.total).toBe(2);
    expect(a1.documents.map((d) => d.id)).toEqual([docs[0]!.id, docs[1]!.id]);
    expect(a1.documents[1]!.assignments).toEqual([
      { userId: users.a1.id, username: users.a1.username, status: "todo" },
    ]);
    const a2 = await list(users.a2, project.id);
    expect(a2.documents.map((d) => d.id)).toEqual([docs[1]!.id, docs[2]!.id]);
  });

  it("filters by status: the annotator's own assignments, or any assignment for the others", async () => {
    const { users, project, docs } = await team();
    await exec(store, ({ q, t: { assignments } }) =>
      q
        .update(assignments)
        .set({ status: "in_progress" })
        .where(and(eq(assignments.documentId, docs[1]!.id), eq(assignments.userId, users.a2.id))),
    );
    expect((await list(users.a2, project.id, "?status=in_progress")).documents.map((d) => d.id)).toEqual([
      docs[1]!.id,
    ]);
    expect((await list(users.a1, project.id, "?status=in_progress")).documents).toEqual([]);
    expect((await list(users.a1, project.id, "?status=todo")).total).toBe(2);
    expect((await list(users.manager, project.id, "?status=in_progress")).documents.map((d) => d.id)).toEqual(
      [docs[1]!.id],
    );
    expect((await list(users.manager, project.id, "?status=done")).total).toBe(0);
  });

  it("searches name and text case-insensitively (q)", async () => {
    const { users, project, docs } = await team();
    expect((await list(users.manager, project.id, "?q=minister")).documents.map((d) => d.id)).toEqual([
      docs[0]!.id,
    ]);
    expect((await list(users.manager, project.id, "?q=BETA")).documents.map((d) => d.id)).toEqual([
      docs[1]!.id,
    ]);
    expect((await list(users.manager, project.id, `?q=${encodeURIComponent("😀 flat")}`)).total).toBe(1);
    expect((await list(users.manager, project.id, "?q=nothing-like-this")).total).toBe(0);
    // an annotator's search stays within their documents
    expect((await list(users.a2, project.id, "?q=minister")).total).toBe(0);
  });

  it("pages with limit and offset (default 100, at most 1000) and reports the total", async () => {
    const user = await addUser(store);
    const project = await addProject(store, { members: [{ user, role: "manager" }] });
    const ids: number[] = [];
    for (let i = 0; i < 105; i++) ids.push((await addDocument(store, project.id, `doc number ${i}`)).id);
    const first = await list(user, project.id);
    expect(first.total).toBe(105);
    expect(first.documents.map((d) => d.id)).toEqual(ids.slice(0, 100));
    const page = await list(user, project.id, "?limit=10&offset=100");
    expect(page.documents.map((d) => d.id)).toEqual(ids.slice(100));
    expect(page.total).toBe(105);
    const api = clientOf(user);
    for (const bad of ["limit=1001", "limit=0", "offset=-1", "status=finished", "limit=abc"]) {
      expect((await api.request("GET", `/api/projects/${project.id}/documents?${bad}`)).status, bad).toBe(
        400,
      );
    }
  });

  it("anonymous 401; non-members and unknown projects 404", async () => {
    const { users, project } = await team();
    expect((await clientOf(null).request("GET", `/api/projects/${project.id}/documents`)).status).toBe(401);
    expect(
      (await clientOf(users.stranger).request("GET", `/api/projects/${project.id}/documents`)).status,
    ).toBe(404);
    expect((await clientOf(users.admin).request("GET", "/api/projects/987654/documents")).status).toBe(404);
    // a malformed id is a 400 naming the parameter, not a project you may not see
    const malformed = await clientOf(users.admin).request("GET", "/api/projects/abc/documents");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ApiErrorBody).error).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/^id: /),
    });
  });
});

describe("GET /documents/:id", () => {
  it("returns the text exactly as stored, meta parsed, sha256, and the length in code points", async () => {
    const { users, project } = await team();
    // PostgreSQL's text cannot hold U+0000 (its import refuses such a text): the NUL is SQLite's case only
    const nul = onPostgres ? "" : "NUL\u0000 inside, ";
    const text = `${nul}CRLF\r\n, NFD e\u0301, emoji 👩‍👩‍👧 and trailing spaces   `;
    const doc = await addDocument(store, project.id, text, { name: "exact" });
    await exec(store, ({ q, t: { documents } }) =>
      q.update(documents).set({ meta: '{"source":"wire","n":3}' }).where(eq(documents.id, doc.id)),
    );
    const dto = await clientOf(users.manager).get<DocumentDto>(`/api/documents/${doc.id}`);
    expect(dto.text).toBe(text);
    expect(dto).toMatchObject({
      id: doc.id,
      name: "exact",
      meta: { source: "wire", n: 3 },
      curation: "todo",
    });
    expect(dto.length).toBe([...text].length);
    const stored = (await row(store, ({ q, t: { documents } }) =>
      q.select().from(documents).where(eq(documents.id, doc.id)),
    ))!;
    expect(dto.sha256).toBe(stored.sha256);
    // the list computes the same length, NUL included (SQLite's length() alone stops at a NUL)
    const listed = (await list(users.manager, project.id, "?q=exact")).documents[0]!;
    expect(listed.length).toBe(dto.length);
  });

  it("annotators get their assigned documents (with only their assignment), 404 for the others", async () => {
    const { users, docs } = await team();
    const a1 = clientOf(users.a1);
    const own = await a1.get<DocumentDto>(`/api/documents/${docs[1]!.id}`);
    expect(own.assignments.map((a) => a.userId)).toEqual([users.a1.id]);
    expect((await a1.request("GET", `/api/documents/${docs[2]!.id}`)).status).toBe(404);
  });

  it("curators, managers and admins read any document; strangers and unknown ids get 404, anonymous 401", async () => {
    const { users, docs } = await team();
    for (const who of [users.curator, users.manager, users.admin]) {
      const dto = await clientOf(who).get<DocumentDto>(`/api/documents/${docs[2]!.id}`);
      expect(dto.assignments.map((a) => a.userId)).toEqual([users.a2.id]);
    }
    expect((await clientOf(users.stranger).request("GET", `/api/documents/${docs[0]!.id}`)).status).toBe(404);
    expect((await clientOf(users.admin).request("GET", "/api/documents/99999999")).status).toBe(404);
    const malformed = await clientOf(users.admin).request("GET", "/api/documents/1e3");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ApiErrorBody).error.code).toBe("invalid_input");
    expect((await clientOf(null).request("GET", `/api/documents/${docs[0]!.id}`)).status).toBe(401);
  });

  it("a member removed from the project loses access", async () => {
    const { users, project, docs } = await team();
    await exec(store, ({ q, t: { projectMembers } }) =>
      q
        .delete(projectMembers)
        .where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, users.curator.id))),
    );
    expect((await clientOf(users.curator).request("GET", `/api/documents/${docs[0]!.id}`)).status).toBe(404);
  });
});
