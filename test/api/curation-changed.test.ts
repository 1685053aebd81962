/** A curator sees "changed after curation" where an annotator edited their layer after curation started. */
import { userLayer } from "@gloss/shared";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let curator: SeededUser;
let ann: SeededUser;
let projectId: number;
let docs: number[];
let label: number;
beforeEach(async () => {
  server = await startServer();
  curator = await addUser(server.store);
  ann = await addUser(server.store);
  const p = await addProject(server.store, {
    members: [
      { user: curator, role: "curator" },
      { user: ann, role: "annotator" },
    ],
  });
  projectId = p.id;
  label = p.labels[0]!.id;
  docs = [];
  for (const t of ["First text here.", "Second text here."])
    docs.push((await addDocument(server.store, p.id, t, { assignTo: [ann] })).id);
});
afterEach(() => server.close());

const as = (u: SeededUser) => {
  const c = new ApiClient(server.url);
  c.cookie = u.cookie;
  return c;
};
const flags = async () =>
  (
    await as(curator).get<{ documents: Array<{ documentId: number; changedAfterCuration: boolean }> }>(
      `/api/projects/${projectId}/curation`,
    )
  ).documents.map((d) => d.changedAfterCuration);

it("flags a document whose annotator layer changed after curation started, and only that one", async () => {
  const span = (d: number) =>
    as(ann).post(`/api/documents/${d}/layers/${userLayer(ann.id)}/spans`, { start: 0, end: 5, label });
  await span(docs[0]!);
  await span(docs[1]!);
  for (const d of docs)
    await as(curator).json("PUT", `/api/documents/${d}/curation/status`, { status: "in_progress" });
  expect(await flags()).toEqual([false, false]);
  await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the status change
  await as(ann).post(`/api/documents/${docs[1]!}/layers/${userLayer(ann.id)}/spans`, {
    start: 6,
    end: 10,
    label,
  });
  expect(await flags()).toEqual([false, true]);
  const view = await as(curator).get<{ changedAfterCuration: boolean }>(
    `/api/documents/${docs[1]!}/curation`,
  );
  expect(view.changedAfterCuration).toBe(true);
});
