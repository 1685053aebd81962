import { afterEach, expect, test } from "vitest";
import { ApiError } from "../api/client";
import { render } from "../test-utils";
import { detailLines, ErrorMessage } from "./ErrorMessage";

afterEach(() => {
  document.body.innerHTML = "";
});

test("details name the place: import errors; zod issues by their sentence alone; plain strings", () => {
  expect(detailLines({ file: "a.jsonl", line: 3, field: "text", reason: "empty text" })).toEqual([
    { place: "a.jsonl, line 3, text", what: "empty text" },
  ]);
  expect(
    detailLines([{ path: "labels.0.color", message: "Label 1's colour must be a colour like #1f77b4" }, "x"]),
  ).toEqual([
    { place: null, what: "Label 1's colour must be a colour like #1f77b4" },
    { place: null, what: "x" },
  ]);
  expect(detailLines({ count: 3 })).toEqual([]);
  expect(detailLines(null)).toEqual([]);
});

test("the alert shows the message and only the details it does not already say, as text", async () => {
  const err = new ApiError(400, "invalid_input", "The name <b>is too long</b>", [
    { path: "name", message: "The name <b>is too long</b>" },
    { path: "mode", message: "The mode must be one of 'independent', 'shared'" },
  ]);
  const r = await render(<ErrorMessage error={err} title="Could not save" />);
  const alert = r.container.querySelector('[role="alert"]')!;
  expect(alert.querySelector("strong")?.textContent).toBe("Could not save: ");
  expect(Array.from(alert.querySelectorAll("li")).map((l) => l.textContent)).toEqual([
    "The mode must be one of 'independent', 'shared'",
  ]);
  expect(alert.querySelector("b")).toBeNull();
  await r.unmount();
});
