/**
 * The project lists that scan a whole project (documents with their text search, assignments, the queue)
 * are read in the worker thread on a file database: the same answers as the functions give on the main
 * thread's connection, as fresh (an edit accepted just before is seen), and through the worker.
 */
import { projectAccess } from "@gloss/server/auth/access";
import { call } from "@gloss/server/db/store";
import { agreementService } from "@gloss/server/services/agreement/service";
import { type LISTS, listRun } from "@gloss/server/services/lists";
import { addSpan, type UserDto, userLayer } from "@gloss/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededProject, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let project: SeededProject;
let manager: SeededUser;
let ann: SeededUser;

beforeAll(async () => {
  server = await startServer({ file: true });
  manager = await addUser(server.store);
  ann = await addUser(server.store);
  const other = await addUser(server.store);
  project = await addProject(server.store, {
    members: [
      { user: manager, role: "manager" },
      { user: ann, role: "annotator" },
      { user: other, role: "annotator" },
    ],
  });
  for (let i = 0; i < 30; i++)
    await addDocument(
      server.store,
      project.id,
      `Text ${i}: ${i % 4 === 0 ? "the minister denied it" : "prices may rise"}.`,
      {
        name: `doc-${String(i).padStart(2, "0")}`,
        assignTo: i % 3 === 0 ? [ann] : [ann, other],
      },
    );
});
afterAll(() => server.close());

const as = (u: SeededUser) => {
  const api = new ApiClient(server.url);
  api.cookie = u.cookie;
  return api;
};

describe("lists read in the worker thread", () => {
  it("answer what the list functions answer on the main connection, through the worker", async () => {
    const worker = agreementService(server.store, server.deps.log).worker!;
    expect(worker).not.toBeNull();
    const before = worker.answered;
    const cases: Array<[SeededUser, keyof typeof LISTS, string, Record<string, unknown>]> = [
      [manager, "documents", "documents?limit=7&offset=3", { limit: 7, offset: 3 }],
      [manager, "documents", "documents?q=MINISTER&limit=100", { q: "MINISTER", limit: 100, offset: 0 }],
      [ann, "documents", "documents?limit=100", { limit: 100, offset: 0 }],
      [manager, "assignments", "assignments?limit=10&offset=20", { limit: 10, offset: 20 }],
      [ann, "queue", "queue?limit=5", { limit: 5, offset: 0 }],
    ];
    for (const [user, name, path, query] of cases) {
      const viaHttp = await as(user).get(`/api/projects/${project.id}/${path}`);
      const access = await call(
        server.store,
        projectAccess,
        await as(user).get<UserDto>("/api/auth/me"),
        project.id,
      );
      expect([path, viaHttp]).toEqual([path, await call(server.store, listRun, name, access, query)]);
    }
    expect(worker.answered - before).toBe(cases.length);
  });

  it("see an edit accepted just before the request", async () => {
    const docs = await as(ann).get<{
      documents: Array<{ id: number; assignments: Array<{ userId: number; status: string }> }>;
    }>(`/api/projects/${project.id}/documents?limit=1`);
    const id = docs.documents[0]!.id;
    // the first span in an annotator's layer starts their assignment (the projection's write)
    await server.deps.collab.withDoc(id, userLayer(ann.id), (d) =>
      addSpan(
        d,
        { start: 0, end: 4, label: project.labels[0]!.id, author: ann.id },
        {
          text: "Text",
          labelIds: new Set(project.labels.map((l) => l.id)),
          relationTypes: new Set(),
        },
      ),
    );
    const queue = await as(ann).get<{ queue: Array<{ documentId: number; status: string }> }>(
      `/api/projects/${project.id}/queue?status=in_progress`,
    );
    expect(queue.queue.map((d) => d.documentId)).toEqual([id]);
  });
});
