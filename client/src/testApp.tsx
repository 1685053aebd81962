/** The whole app over a fake API, for page tests (happy-dom): a signed-in user and a project to show. */
import { createMemoryHistory } from "@tanstack/react-router";
import { App } from "./App";
import { fakeFetch, json, render } from "./test-utils";

/** The signed-in user. */
export const ada = { id: 1, username: "ada", displayName: "Ada", isAdmin: false };

/** A project as GET /api/projects/:id answers it (the caller a manager). */
export const projectDto = (id: number, name: string, labels: unknown[] = []) => ({
  id,
  name,
  description: "",
  mode: "independent",
  annotatorsPerDocument: 1,
  snapping: "word",
  relationTypes: [],
  createdAt: 0,
  role: "manager",
  labels,
});

/** Renders the app at `path`, signed in as Ada, over the fake API `routes`; records every call. */
export async function renderApp(path: string, routes: Parameters<typeof fakeFetch>[0]) {
  const history = createMemoryHistory({ initialEntries: [path] });
  const api = fakeFetch({ "GET /api/auth/session": () => json(200, { user: ada }), ...routes });
  const r = await render(<App fetcher={api.fetcher} history={history} />);
  return { r, history, calls: api.calls };
}
