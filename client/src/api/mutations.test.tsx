import { act } from "react";
import { afterEach, expect, test } from "vitest";
import { byText, json, until } from "../test-utils";
import { projectDto, renderApp } from "../testApp";

afterEach(() => {
  document.body.innerHTML = "";
});

const label = (id: number, name: string, order: number) => ({
  id,
  projectId: 4,
  name,
  color: "#0072b2",
  hotkey: null,
  description: "",
  order,
});
const project = (labels: unknown[]) => projectDto(4, "Bridges", labels);
const app = renderApp;

/** Types into an input the way React notices (the native value setter, then an input event). */
function type(input: HTMLInputElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** A response the test sends when it chooses. */
function deferred() {
  let answer!: (r: Response) => void;
  const response = new Promise<Response>((resolve) => {
    answer = resolve;
  });
  return { response, answer };
}

test("creating a project: busy while it is sent, then the server's error inline and the form usable again", async () => {
  const pending = deferred();
  const { r } = await app("/", {
    "GET /api/projects": () => json(200, { projects: [] }),
    "POST /api/projects": () => pending.response,
  });
  await until(() => r.container.querySelector('input[name="name"]'));
  type(r.container.querySelector<HTMLInputElement>('input[name="name"]')!, "Bridges");
  const form = r.container.querySelector<HTMLFormElement>('section[aria-labelledby="new-project"] form')!;
  await act(async () => form.requestSubmit());

  const button = () => form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  await until(() => button().disabled);
  expect(button().textContent).toBe("Creating…");
  expect(form.querySelector('[role="alert"]')).toBeNull();

  await act(async () =>
    pending.answer(json(409, { error: { code: "conflict", message: "A project named 'Bridges' exists" } })),
  );
  await until(() => form.querySelector('[role="alert"]'));
  expect(form.querySelector('[role="alert"]')?.textContent).toBe("A project named 'Bridges' exists");
  expect(button().disabled).toBe(false);
  expect(button().textContent).toBe("Create project");
  await r.unmount();
});

test("labels: an added label shows from the answer; a refused delete shows the server's 409 and keeps the label", async () => {
  let labels = [label(10, "claim", 0)];
  const { r, calls } = await app("/projects/4/settings", {
    "GET /api/projects/4": () => json(200, project(labels)),
    "GET /api/projects/4/members": () => json(200, { members: [] }),
    "GET /api/projects/4/documents": () => json(200, { documents: [], total: 0 }),
    "POST /api/projects/4/labels": () => {
      const created = label(11, "source", 1);
      labels = [...labels, created];
      return json(201, created);
    },
    "DELETE /api/projects/4/labels/10": () =>
      json(409, {
        error: {
          code: "label_in_use",
          message: "Label 'claim' is used by 1 annotation: relabel or delete them first",
        },
      }),
  });
  const items = () =>
    Array.from(r.container.querySelectorAll(".label-list > li")).map((li) => li.textContent);
  await until(() => items().length === 1);

  const newLabel = r.container.querySelector<HTMLFormElement>('form[aria-label="New label"]')!;
  type(newLabel.querySelector<HTMLInputElement>('input[name="name"]')!, "source");
  await act(async () => newLabel.requestSubmit());
  await until(() => items().length === 2);
  expect(items()[1]).toContain("source");
  const section = r.container.querySelector("#labels")!;
  await until(() => section.querySelector('[role="status"]')?.textContent === "Label added.");
  // the form is cleared for the next one
  expect(newLabel.querySelector<HTMLInputElement>('input[name="name"]')!.value).toBe("");

  await act(async () => byText(section, "button", "Delete")[0]!.click());
  await until(() => section.querySelector('[role="alert"]'));
  expect(section.querySelector('[role="alert"]')?.textContent).toBe(
    "Label 'claim' is used by 1 annotation: relabel or delete them first",
  );
  // the error replaced the earlier success line; nothing was taken away
  expect(section.querySelector('[role="status"]')).toBeNull();
  expect(items()).toHaveLength(2);
  expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  await r.unmount();
});

test("an explicit assignment without a document or an annotator says so and sends nothing", async () => {
  const { r, calls } = await app("/projects/4/settings", {
    "GET /api/projects/4": () => json(200, project([])),
    "GET /api/projects/4/members": () => json(200, { members: [] }),
    "GET /api/projects/4/documents": () => json(200, { documents: [], total: 0 }),
  });
  await until(() => r.container.querySelector('form[aria-label="Explicit assignment"]'));
  const form = r.container.querySelector<HTMLFormElement>('form[aria-label="Explicit assignment"]')!;
  await act(async () => form.requestSubmit());
  const section = r.container.querySelector("#assignment")!;
  await until(() => section.querySelector('[role="alert"]'));
  expect(section.querySelector('[role="alert"]')?.textContent).toBe(
    "Choose at least one document and one annotator.",
  );
  expect(calls.filter((c) => c.url.includes("/assignments"))).toEqual([]);
  await r.unmount();
});
