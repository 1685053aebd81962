import { act } from "react";
import { afterEach, expect, test } from "vitest";
import type { ConnectionState } from "../collab/connectionState";
import { useOnReconnect } from "../collab/useOnReconnect";
import { json, render, until } from "../test-utils";
import { projectDto, renderApp } from "../testApp";

afterEach(() => {
  document.body.innerHTML = "";
});

const project = projectDto;
const app = renderApp;

/** The calls of `method` to the path `url`, whatever their query. */
const count = (calls: Array<{ method: string; url: string }>, method: string, url: string) =>
  calls.filter((c) => c.method === method && c.url.split("?")[0] === url).length;

test("the page reads its data again when the browser comes back online", async () => {
  let projects = [project(1, "Bridges")];
  const { r, calls } = await app("/", { "GET /api/projects": () => json(200, { projects }) });
  await until(() => r.container.querySelector(".project-list")?.textContent?.includes("Bridges"));
  expect(count(calls, "GET", "/api/projects")).toBe(1);

  projects = [...projects, project(2, "Tunnels")];
  await act(async () => {
    window.dispatchEvent(new Event("offline"));
  });
  await act(async () => {
    window.dispatchEvent(new Event("online"));
  });
  await until(() => r.container.querySelector(".project-list")?.textContent?.includes("Tunnels"));
  expect(count(calls, "GET", "/api/projects")).toBe(2);
  // the session is read once: a page that lost it says so itself instead of jumping to sign in
  expect(count(calls, "GET", "/api/auth/session")).toBe(1);
  await r.unmount();
});

test("a write invalidates what it changes: adding a member re-reads the member table and the annotators to assign", async () => {
  let members = [{ userId: 1, username: "ada", displayName: "Ada", role: "manager" }];
  const bob = { userId: 2, username: "bob", displayName: "Bob", role: "annotator" };
  const { r, calls } = await app("/projects/4/settings", {
    "GET /api/projects/4": () => json(200, project(4, "Bridges")),
    "GET /api/projects/4/members": () => json(200, { members }),
    "GET /api/projects/4/documents": () => json(200, { documents: [], total: 0 }),
    "POST /api/projects/4/members": () => {
      members = [...members, bob];
      return json(201, bob);
    },
  });
  await until(() => r.container.querySelector('form[aria-label="Add member"]'));
  // two lists: the table's page and the annotators offered for assignment, each read once
  await until(() => count(calls, "GET", "/api/projects/4/members") === 2);
  expect(
    calls
      .filter((c) => c.url.startsWith("/api/projects/4/members?"))
      .map((c) => c.url)
      .sort(),
  ).toEqual([
    "/api/projects/4/members?limit=50&offset=0",
    "/api/projects/4/members?role=annotator&limit=1000",
  ]);

  const form = r.container.querySelector<HTMLFormElement>('form[aria-label="Add member"]')!;
  const input = form.querySelector<HTMLInputElement>('input[name="username"]')!;
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, "bob");
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await act(async () => form.requestSubmit());

  // the member table and the assignment section (its annotators) both show Bob, each from one re-read
  await until(() => r.container.querySelector(".member-table")?.textContent?.includes("Bob"));
  const annotators = () =>
    Array.from(r.container.querySelectorAll('form[aria-label="Explicit assignment"] input[name="user"]'));
  await until(() => annotators().length === 1);
  await until(() => count(calls, "GET", "/api/projects/4/members") === 4);
  expect(count(calls, "GET", "/api/projects/4")).toBeGreaterThanOrEqual(1);
  await r.unmount();
});

/** Records the calls of useOnReconnect for a sequence of connection states. */
function Probe({ state, onReconnect }: { state: ConnectionState; onReconnect(): void }) {
  useOnReconnect(state, onReconnect);
  return null;
}

test("useOnReconnect fires on each return to connected after a drop, never on the first connection", async () => {
  let calls = 0;
  const onReconnect = () => {
    calls++;
  };
  const r = await render(<Probe state="syncing" onReconnect={onReconnect} />);
  for (const [state, expected] of [
    ["connected", 0],
    ["connected", 0],
    ["offline", 0],
    ["syncing", 0],
    ["connected", 1],
    ["signed-out", 1],
    ["connected", 2],
  ] as const) {
    await r.rerender(<Probe state={state} onReconnect={onReconnect} />);
    expect(calls, state).toBe(expected);
  }
  await r.unmount();
});
