import { expect, test } from "vitest";
import { chooseLayer, layerOptions } from "./layers";

test("the default layer: shared in shared mode, the user's own otherwise", () => {
  expect(chooseLayer(null, "annotator", "shared", 4)).toEqual({ layer: "shared", permission: "write" });
  expect(chooseLayer(null, "annotator", "independent", 4)).toEqual({ layer: "user-4", permission: "write" });
});

test("a requested layer is used only when the user may read it", () => {
  // an annotator asking for someone else's layer gets their own (they work blind)
  expect(chooseLayer("user-9", "annotator", "independent", 4).layer).toBe("user-4");
  expect(chooseLayer("gold", "annotator", "independent", 4).layer).toBe("user-4");
  expect(chooseLayer("nonsense", "curator", "independent", 4).layer).toBe("user-4");
  expect(chooseLayer("user-9", "curator", "independent", 4)).toEqual({ layer: "user-9", permission: "read" });
  expect(chooseLayer("gold", "manager", "independent", 4)).toEqual({ layer: "gold", permission: "write" });
});

test("the picker lists own layer first, others by name read-only, gold last; no duplicates", () => {
  const opts = layerOptions({
    listed: [
      "user-9",
      { layer: "user-4" },
      { layer: "user-12", username: "bob" },
      "gold",
      "bogus",
      { layer: "user-9", spans: 3, status: "done", permission: "read", user: null },
      { layer: "gold", spans: 1 },
    ],
    role: "curator",
    mode: "independent",
    userId: 4,
    names: new Map([[9, "Alice"]]),
  });
  expect(opts).toEqual([
    { layer: "user-4", label: "My layer", permission: "write" },
    { layer: "user-9", label: "Alice's layer — 3 spans, done", permission: "read" },
    { layer: "user-12", label: "bob's layer", permission: "read" },
    { layer: "gold", label: "Gold (adjudicated) — 1 span", permission: "write" },
  ]);
});
