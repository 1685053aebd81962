import { addSpan, type LabelDto, removeSpan, type Span } from "@gloss/shared";
import { useState } from "react";
import { afterEach, expect, test, vi } from "vitest";
import * as Y from "yjs";
import { useSpans } from "../collab/useLayerData";
import { click, render } from "../test-utils";
import { SpanSidebar } from "./SpanSidebar";
import { countByLabel, filterSpans, snippet, toggleLabel } from "./spanList";

const labels: LabelDto[] = [
  { id: 10, projectId: 1, name: "claim", color: "#0072b2", hotkey: "1", description: "", order: 0 },
  { id: 11, projectId: 1, name: "denial", color: "#d55e00", hotkey: "2", description: "", order: 1 },
  { id: 12, projectId: 1, name: "attribution", color: "#009e73", hotkey: "3", description: "", order: 2 },
];
const text = "Officials said the bridge is safe 🙂. Critics <script>deny</script> it.";
const ctx = { text, labelIds: new Set([10, 11, 12]) };
/** [start, end) of the first occurrence of `part` in the text (UTF-16). */
const at = (part: string) => {
  const start = text.indexOf(part);
  return { start, end: start + part.length };
};

afterEach(() => {
  document.body.innerHTML = "";
});

/** The sidebar over a live Y.Doc, with its filter state, as the workspace wires it. */
function Harness({ doc, onSelect }: { doc: Y.Doc; onSelect(id: string): void }) {
  const spans = useSpans(doc);
  const [filter, setFilter] = useState<ReadonlySet<number> | null>(null);
  return (
    <SpanSidebar
      text={text}
      spans={spans}
      labels={labels}
      filter={filter}
      onFilterChange={setFilter}
      selectedId={null}
      onSelect={onSelect}
    />
  );
}

const items = (root: HTMLElement) =>
  Array.from(root.querySelectorAll(".span-item")).map((b) => b.getAttribute("aria-label"));

test("lists spans in reading order, live, with counts per label; filter and click work", async () => {
  const doc = new Y.Doc();
  const critics = addSpan(doc, { ...at("Critics"), label: 11, author: 1 }, ctx);
  addSpan(doc, { ...at("Officials"), label: 12, author: 1 }, ctx);
  addSpan(
    doc,
    { ...at("Officials said the bridge is safe 🙂."), label: 10, author: 2, note: "checkable" },
    ctx,
  );
  const onSelect = vi.fn();
  const r = await render(<Harness doc={doc} onSelect={onSelect} />);

  // reading order: start, then the longer (outer) span first
  expect(items(r.container)).toEqual([
    "claim: Officials said the bridge is safe 🙂.",
    "attribution: Officials",
    "denial: Critics",
  ]);
  expect(r.container.querySelector(".span-note")?.textContent).toBe("checkable");
  const counts = Array.from(r.container.querySelectorAll(".label-filter .count")).map((c) => c.textContent);
  expect(counts).toEqual(["1", "1", "1"]);

  // a span added elsewhere (another client) shows up without a reload; removing one takes it away
  const { act } = await import("react");
  await act(async () => {
    addSpan(doc, { ...at("<script>deny</script>"), label: 10, author: 3 }, ctx);
  });
  expect(items(r.container)).toContain("claim: <script>deny</script>");
  expect(r.container.querySelector(".label-filter .count")?.textContent).toBe("2");
  // rendered as text, never as markup
  expect(r.container.querySelector("script")).toBeNull();

  // filter: hide claims
  const claimBox = r.container.querySelector<HTMLInputElement>(".label-filter input")!;
  await click(claimBox);
  expect(items(r.container)).toEqual(["attribution: Officials", "denial: Critics"]);
  // counts stay the totals
  expect(r.container.querySelector(".label-filter .count")?.textContent).toBe("2");
  await click(r.container.querySelector(".label-filter .link-button"));
  expect(items(r.container)).toHaveLength(4);

  await click(r.container.querySelectorAll(".span-item")[2]);
  expect(onSelect).toHaveBeenCalledWith(critics.id);

  await act(async () => {
    removeSpan(doc, critics.id);
  });
  expect(items(r.container)).not.toContain("denial: Critics");
  await r.unmount();
  doc.destroy();
});

test("spanList helpers", () => {
  const s = (id: string, label: number): Span => ({
    id,
    start: 0,
    end: 1,
    label,
    author: null,
    createdAt: 0,
  });
  const spans = [s("a", 1), s("b", 2), s("c", 1)];
  expect(countByLabel(spans)).toEqual(
    new Map([
      [1, 2],
      [2, 1],
    ]),
  );
  expect(filterSpans(spans, new Set([1])).map((x) => x.id)).toEqual(["a", "c"]);
  expect(filterSpans(spans, null)).toHaveLength(3);
  expect(toggleLabel(null, 2, [1, 2, 3])).toEqual(new Set([1, 3]));
  expect(toggleLabel(new Set([1, 3]), 2, [1, 2, 3])).toBeNull();
  expect(snippet("a\r\n\tb", 0, 5)).toBe("a b");
  // cut by code points: the emoji stays whole
  const long = `${"😀".repeat(50)}x${"😀".repeat(50)}`;
  const cut = snippet(long, 0, long.length, 11);
  expect(Array.from(cut)).toHaveLength(11);
  expect(cut).toBe("😀😀😀😀😀…😀😀😀😀😀");
});
