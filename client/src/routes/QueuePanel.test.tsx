import { act } from "react";
import { afterEach, expect, test } from "vitest";
import { byText, click, json, until } from "../test-utils";
import { projectDto, renderApp } from "../testApp";

afterEach(() => {
  document.body.innerHTML = "";
});

const item = (i: number) => ({
  documentId: 1000 + i,
  name: `doc-${i}.txt`,
  status: i < 10 ? "done" : "todo",
  updatedAt: 0,
});
const queuePage = (from: number, to: number, total = 120) =>
  json(200, {
    queue: Array.from({ length: to - from }, (_, k) => item(from + k)),
    total,
    remaining: 110,
    next: 1010,
  });

test("the queue pages through the server's pages and searches server-side", async () => {
  const Q = "GET /api/projects/4/queue";
  const { r, calls } = await renderApp("/projects/4", {
    "GET /api/projects/4": () => json(200, { ...projectDto(4, "Bridges"), role: "annotator" }),
    "GET /api/projects/4/documents": () => json(200, { documents: [], total: 0 }),
    [`${Q}?limit=50&offset=0`]: () => queuePage(0, 50),
    [`${Q}?limit=50&offset=50`]: () => queuePage(50, 100),
    [`${Q}?q=doc-11&limit=50&offset=0`]: () =>
      json(200, { queue: [item(11)], total: 1, remaining: 110, next: 1010 }),
  });
  const panel = () => r.container.querySelector<HTMLElement>("section.queue");
  const names = () => Array.from(panel()?.querySelectorAll(".queue-list a") ?? []).map((a) => a.textContent);
  await until(() => names().length === 50);
  expect(panel()!.textContent).toContain("110 of 120 left.");
  expect(panel()!.textContent).toContain("1–50 of 120");
  // "Next document" is the server's next over the whole queue, not the page's
  expect(byText<HTMLButtonElement>(panel()!, "button", "Next document")[0]!.disabled).toBe(false);

  await click(panel()!.querySelector('button[aria-label="Following page of queue"]'));
  await until(() => names()[0] === "doc-50.txt");
  expect(panel()!.textContent).toContain("51–100 of 120");

  const search = panel()!.querySelector<HTMLInputElement>('input[type="search"]')!;
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(search, "doc-11");
    search.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await until(() => names().length === 1 && names()[0] === "doc-11.txt");
  // one request per settled search, from the first page
  expect(calls.filter((c) => c.url.includes("q=")).map((c) => c.url)).toEqual([
    "/api/projects/4/queue?q=doc-11&limit=50&offset=0",
  ]);
  expect(panel()!.querySelector('button[aria-label="Following page of queue"]')).toBeNull();
  await r.unmount();
});
