import { addSpan, listRelations, listSpans, spansOf } from "@gloss/shared";
import { TextSelection } from "@tiptap/pm/state";
import { act } from "react";
import { afterEach, describe, expect, test, vi } from "vitest";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { LABELS, mountEditor } from "./testing/mount";

const TEXT =
  "The minister said: taxes won't rise.\r\n\r\nOfficials <script>denied</script> it 😀 on Tuesday.";
const ctx = { text: TEXT, labelIds: new Set([1, 2, 3]) };
const at = (part: string) => {
  const start = TEXT.indexOf(part);
  return { start, end: start + part.length };
};
/** The text drawn by the elements matching `selector` (a decoration is split into fragments at boundaries). */
const drawnText = (root: ParentNode, selector: string) =>
  [...root.querySelectorAll(selector)].map((e) => e.textContent).join("");
const covered = (doc: Y.Doc) => listSpans(doc).map((s) => `${TEXT.slice(s.start, s.end)}:${s.label}`);

afterEach(() => {
  document.body.innerHTML = "";
});

describe("AnnotationEditor", () => {
  test("renders the text exactly, a paragraph per line, markup as text", async () => {
    const ed = await mountEditor(TEXT, new Y.Doc());
    const lines = [...ed.container.querySelectorAll(".gl-line")].map((p) => p.textContent);
    expect(lines).toEqual(TEXT.split(/\r\n|\r|\n/));
    expect(ed.container.querySelector("script")).toBeNull();
    expect(ed.view.dom.getAttribute("aria-readonly")).toBe("true");
    await ed.unmount();
  });

  test("under StrictMode's double mount there is one editor, and it works", async () => {
    const doc = new Y.Doc();
    const ed = await mountEditor(TEXT, doc, {}, { strict: true });
    expect(ed.container.querySelectorAll(".ProseMirror")).toHaveLength(1);
    ed.handle.selectText(4, 12);
    await ed.key("1");
    expect(covered(doc)).toEqual(["minister:1"]);
    await ed.unmount();
    expect(document.querySelectorAll(".ProseMirror")).toHaveLength(0);
  });

  test("a hotkey labels the selection, grown to whole words, drawn with its tag", async () => {
    const doc = new Y.Doc();
    const ed = await mountEditor(TEXT, doc, { userId: 42 });
    ed.handle.selectText(6, 10); // "nist" inside "minister"
    const event = await ed.key("1");
    expect(event.defaultPrevented).toBe(true);
    expect(covered(doc)).toEqual(["minister:1"]);
    const [span] = listSpans(doc);
    expect(span!.author).toBe(42);
    expect(drawnText(ed.container, `[data-span-id="${span!.id}"]`)).toBe("minister");
    const marker = ed.container.querySelector(`[data-start-for="${span!.id}"]`);
    expect(marker?.textContent).toBe("m");
    expect(marker?.getAttribute("data-name")).toBe("claim: ");
    expect(ed.container.querySelector('[role="status"]')?.textContent).toContain("Labelled claim “minister”");
    // Alt + hotkey keeps the characters exact.
    ed.handle.selectText(6, 10);
    await ed.key("¡", { altKey: true, code: "Digit1" });
    expect(covered(doc)).toContain("nist:1");
    await ed.unmount();
  });

  test("character snapping keeps the selection (whole emoji)", async () => {
    const doc = new Y.Doc();
    const ed = await mountEditor(TEXT, doc, { snapping: "character" });
    const emoji = at("😀");
    ed.handle.selectText(emoji.start - 1, emoji.start + 1); // the space and half the emoji
    await ed.key("2");
    expect(covered(doc)).toEqual([" 😀:2"]);
    await ed.unmount();
  });

  test("palette buttons are named by their labels and label the selection", async () => {
    const doc = new Y.Doc();
    const ed = await mountEditor(TEXT, doc);
    const buttons = [
      ...ed.container.querySelectorAll<HTMLButtonElement>('[role="toolbar"] button[aria-keyshortcuts]'),
    ];
    expect(buttons.slice(0, 3).map((b) => b.getAttribute("aria-label"))).toEqual(LABELS.map((l) => l.name));
    const r = at("Officials");
    ed.handle.selectText(r.start, r.end);
    await act(async () => buttons[2]!.click());
    expect(covered(doc)).toEqual(["Officials:3"]);
    await ed.unmount();
  });

  test("Tab walks the spans in reading order; hotkeys relabel, Delete deletes, Ctrl+Z undoes", async () => {
    const doc = new Y.Doc();
    const later = addSpan(doc, { ...at("Tuesday"), label: 1, author: 9 }, ctx);
    const first = addSpan(doc, { ...at("minister said"), label: 1, author: 9 }, ctx);
    const ed = await mountEditor(TEXT, doc);
    const selected: Array<string | null> = [];
    await ed.rerender({ onSelectSpan: (id) => selected.push(id) });
    ed.view.dispatch(ed.view.state.tr.setSelection(TextSelection.create(ed.view.state.doc, 1)));
    await ed.key("Tab");
    expect(selected.at(-1)).toBe(first.id);
    expect(drawnText(ed.container, ".gl-selected")).toBe("minister said");
    await ed.key("Tab");
    expect(selected.at(-1)).toBe(later.id);
    const past = await ed.key("Tab");
    expect(past.defaultPrevented).toBe(false); // past the last span, Tab leaves the text
    await ed.key("Tab", { shiftKey: true });
    expect(selected.at(-1)).toBe(first.id);

    await ed.key("2");
    expect(spansOf(doc).get(first.id)?.label).toBe(2);
    await ed.key("Delete");
    expect(spansOf(doc).has(first.id)).toBe(false);
    await ed.key("z", { ctrlKey: true });
    expect(spansOf(doc).get(first.id)?.label).toBe(2);
    await ed.key("z", { ctrlKey: true });
    expect(spansOf(doc).get(first.id)?.label).toBe(1);
    await ed.key("z", { ctrlKey: true }); // nothing of ours left: the seeded spans are not undone
    expect(spansOf(doc).size).toBe(2);
    await ed.key("Z", { ctrlKey: true, shiftKey: true });
    expect(spansOf(doc).get(first.id)?.label).toBe(2);
    await ed.unmount();
  });

  test("Alt+arrows move the selected span's end and start by a word", async () => {
    const doc = new Y.Doc();
    const s = addSpan(doc, { ...at("minister"), label: 1, author: 1 }, ctx);
    const ed = await mountEditor(TEXT, doc);
    ed.handle.selectSpan(s.id);
    await ed.key("ArrowRight", { altKey: true, shiftKey: true });
    expect(covered(doc)).toEqual(["minister said:1"]);
    await ed.key("ArrowLeft", { altKey: true });
    expect(covered(doc)).toEqual(["The minister said:1"]);
    await ed.unmount();
  });

  test("relations: Shift+R from a span, Tab to the target, Enter", async () => {
    const doc = new Y.Doc();
    const who = addSpan(doc, { ...at("The minister"), label: 3, author: 1 }, ctx);
    const what = addSpan(doc, { ...at("taxes won't rise"), label: 1, author: 1 }, ctx);
    const ed = await mountEditor(TEXT, doc);
    ed.handle.selectSpan(who.id);
    await ed.key("R", { shiftKey: true });
    expect(ed.container.querySelector(".gl-rel-source")).not.toBeNull();
    await ed.key("Tab");
    await ed.key("Enter");
    expect(listRelations(doc).map((r) => [r.from, r.to, r.type])).toEqual([[who.id, what.id, "attributes"]]);
    // The inspector lists the link with a remove button.
    ed.handle.selectSpan(who.id);
    await act(async () => {});
    const remove = ed.container.querySelector<HTMLButtonElement>('button[aria-label^="Remove link"]');
    expect(remove?.getAttribute("aria-label")).toContain("attributes");
    await act(async () => remove!.click());
    expect(listRelations(doc)).toEqual([]);
    await ed.unmount();
  });

  test("the text cannot be changed: typing, pasting and document transactions are refused", async () => {
    const doc = new Y.Doc();
    const ed = await mountEditor(TEXT, doc);
    const before = ed.view.state.doc;
    ed.view.dispatch(ed.view.state.tr.insertText("X", 3));
    expect(ed.view.state.doc.eq(before)).toBe(true);
    const input = new InputEvent("beforeinput", {
      inputType: "insertText",
      data: "X",
      bubbles: true,
      cancelable: true,
    });
    ed.view.dom.dispatchEvent(input);
    expect(input.defaultPrevented).toBe(true);
    const enter = await ed.key("Enter");
    const backspace = await ed.key("Backspace");
    expect(enter.defaultPrevented && backspace.defaultPrevented).toBe(true);
    expect(ed.view.state.doc.eq(before)).toBe(true);
    expect(ed.container.querySelector(".gl-line")?.textContent).toBe(TEXT.split("\r\n")[0]);
    await ed.unmount();
  });

  test("copy puts the exact text on the clipboard, CRLF included", async () => {
    const ed = await mountEditor(TEXT, new Y.Doc());
    const r = { start: TEXT.indexOf("rise"), end: TEXT.indexOf("Officials") + 3 };
    ed.handle.selectText(r.start, r.end);
    const data = new Map<string, string>();
    const event = new Event("copy", { bubbles: true, cancelable: true }) as ClipboardEvent;
    Object.defineProperty(event, "clipboardData", {
      value: {
        setData: (t: string, v: string) => data.set(t, v),
        clearData: () => data.clear(),
        getData: (t: string) => data.get(t) ?? "",
      },
    });
    ed.view.dom.dispatchEvent(event);
    expect(data.get("text/plain")).toBe(TEXT.slice(r.start, r.end));
    expect(event.defaultPrevented).toBe(true);
    await ed.unmount();
  });

  test("read-only: no labelling, but Tab selection still works", async () => {
    const doc = new Y.Doc();
    const s = addSpan(doc, { ...at("Tuesday"), label: 1, author: 9 }, ctx);
    const ed = await mountEditor(TEXT, doc, { readOnly: true });
    ed.handle.selectText(4, 12);
    await ed.key("1");
    expect(spansOf(doc).size).toBe(1);
    expect(ed.container.querySelector('[role="status"]')?.textContent).toContain("read-only");
    await ed.key("Escape");
    await ed.key("Tab");
    expect(drawnText(ed.container, ".gl-selected")).toBe("Tuesday");
    await ed.key("Delete");
    expect(spansOf(doc).has(s.id)).toBe(true);
    await ed.unmount();
  });

  test("remote changes are drawn as they arrive; the label filter hides other labels", async () => {
    const doc = new Y.Doc();
    const ed = await mountEditor(TEXT, doc);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.on("update", (u: Uint8Array) => Y.applyUpdate(doc, u, "remote"));
    let s!: { id: string };
    await act(async () => {
      s = addSpan(remote, { ...at("taxes"), label: 2, author: 5 }, ctx);
      addSpan(remote, { ...at("taxes won't"), label: 1, author: 5 }, ctx);
    });
    expect(drawnText(ed.container, `[data-span-id="${s.id}"]`)).toBe("taxes");
    const drawn = () =>
      new Set([...ed.container.querySelectorAll(".gl-span")].map((e) => e.getAttribute("data-span-id")));
    expect(drawn().size).toBe(2);
    // Stacked: the outer span nearest the text, the inner one in the next lane.
    expect(ed.container.querySelector(`[data-span-id="${s.id}"]`)?.classList.contains("gl-lane-1")).toBe(
      true,
    );
    await ed.rerender({ labelFilter: new Set([2]) });
    expect(drawn()).toEqual(new Set([s.id]));
    // Undo does not touch the remote user's spans.
    await ed.key("z", { ctrlKey: true });
    expect(spansOf(doc).size).toBe(2);
    await ed.unmount();
  });
});

describe("a long text (lines in chunks)", () => {
  // ~240 K code units: lines of prose, blank lines and CRLFs, the phrases the test works with at the end.
  const line = (i: number) => `Line ${i} of the text, where the minister said taxes would not rise.`;
  const body = Array.from({ length: 3300 }, (_, i) => line(i)).join("\n\n");
  const LONG = `${body}\r\nNear the end: the harbour bridge closed. Final words.`;
  const longCtx = { text: LONG, labelIds: new Set([1, 2, 3]) };
  const last = (part: string) => {
    const start = LONG.lastIndexOf(part);
    return { start, end: start + part.length };
  };

  test("renders every line exactly, in chunks", async () => {
    const ed = await mountEditor(LONG, new Y.Doc());
    const chunks = ed.container.querySelectorAll(".ProseMirror > .gl-chunk");
    expect(chunks.length).toBeGreaterThan(10);
    const lines = [...ed.container.querySelectorAll(".gl-chunk > .gl-line")].map((p) => p.textContent);
    expect(lines).toEqual(LONG.split(/\r\n|\r|\n/));
    await ed.unmount();
  });

  test("labelling, selecting, Tab and copy at the end use the exact text offsets", async () => {
    const doc = new Y.Doc();
    const final = addSpan(doc, { ...last("Final words"), label: 2, author: 9 }, longCtx);
    const ed = await mountEditor(LONG, doc);
    const bridge = last("harbour bridge");
    ed.handle.selectText(bridge.start + 2, bridge.end - 2); // inside both words
    await ed.key("1");
    const labelled = listSpans(doc).find((s) => s.id !== final.id)!;
    expect({ start: labelled.start, end: labelled.end, label: labelled.label }).toEqual({
      ...bridge,
      label: 1,
    });
    // Tab from there goes to the last span; it is drawn as selected over exactly its text.
    await ed.key("Tab");
    expect(drawnText(ed.container, ".gl-selected")).toBe("Final words");
    // Copying a selection across the CRLF before the last line gives the text exactly.
    const r = { start: LONG.lastIndexOf("rise."), end: bridge.start };
    ed.handle.selectText(r.start, r.end);
    const data = new Map<string, string>();
    const event = new Event("copy", { bubbles: true, cancelable: true }) as ClipboardEvent;
    Object.defineProperty(event, "clipboardData", {
      value: { setData: (t: string, v: string) => data.set(t, v), clearData: () => data.clear() },
    });
    ed.view.dom.dispatchEvent(event);
    expect(data.get("text/plain")).toBe(LONG.slice(r.start, r.end));
    await ed.unmount();
  });
});

describe("presence (awareness)", () => {
  test("publishes the selection in text offsets and draws others' selections faintly, named", async () => {
    const doc = new Y.Doc();
    const mine = new Awareness(doc);
    const theirs = new Awareness(new Y.Doc());
    const ed = await mountEditor(TEXT, doc, { awareness: mine });
    ed.handle.selectText(4, 12);
    await vi.waitFor(() => expect(mine.getLocalState()?.selection).toEqual({ start: 4, end: 12 }));

    const r = at("Officials");
    theirs.setLocalState({ user: { id: 2, name: "Grace", color: "#d55e00" }, selection: r });
    await act(async () =>
      applyAwarenessUpdate(mine, encodeAwarenessUpdate(theirs, [theirs.clientID]), "remote"),
    );
    // (the last letter is split off for the caret and name flag: the selection may be drawn in pieces)
    const pieces = Array.from(ed.container.querySelectorAll<HTMLElement>(".gl-remote"));
    expect(pieces.map((p) => p.textContent).join("")).toBe("Officials");
    const remote = pieces[0];
    expect(remote?.title).toBe("Grace");
    expect(remote?.getAttribute("style")).toContain("#d55e00");
    const end = ed.container.querySelector<HTMLElement>(".gl-remote-end");
    expect(end?.textContent).toBe("s");
    expect(end?.dataset.remoteName).toBe("Grace");

    // Malformed remote state is ignored, not drawn.
    theirs.setLocalState({
      user: { name: "<b>x</b>", color: "red;background:url(x)" },
      selection: { start: -5, end: 1e9 },
    });
    await act(async () =>
      applyAwarenessUpdate(mine, encodeAwarenessUpdate(theirs, [theirs.clientID]), "remote"),
    );
    expect(ed.container.querySelector(".gl-remote")).toBeNull();

    await ed.unmount();
    expect(mine.getLocalState()?.selection).toBeNull();
  });
});
