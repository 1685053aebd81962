/**
 * The editor benchmark page (client/editor-bench.html, driven by bench/editor.ts): mounts the AnnotationEditor
 * over the fixture and exposes measurements on `window.__bench`. Also used for screenshots of the UI.
 */
import { spansOf } from "@gloss/shared";
import { createRef, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { AnnotationEditor, type EditorHandle, type EditorUser } from "../index";
import { makeBenchFixture } from "./fixture";

interface BenchApi {
  ready: boolean;
  opens: number[];
  labelTimes: number[];
  spanCount: number;
  overlapping: number;
  relationCount: number;
  textLength: number;
  /** The document text (to compare a copy with). */
  text: string;
  /** The span that starts last in the text (to scroll to the far end of a long document). */
  lastSpanId: string;
  /** Selects the i-th labelling target (a stretch of words) in the editor. */
  prepare(i: number): void;
  /**
   * Scrolls from the top with requestAnimationFrame, `step` px a frame, to the end or for at most `maxFrames`
   * frames; resolves with the frame intervals (ms).
   */
  scroll(step: number, maxFrames?: number): Promise<number[]>;
  /** Unmounts and mounts the editor again; resolves with the open time. */
  reopen(): Promise<number>;
  handle: EditorHandle | null;
}

declare global {
  interface Window {
    __bench: BenchApi;
  }
}

const params = new URLSearchParams(location.search);
const fixture = makeBenchFixture({
  bytes: Number(params.get("bytes") ?? 200_000),
  spans: Number(params.get("spans") ?? 3000),
  relations: Number(params.get("relations") ?? 200),
});
const users = new Map<number, EditorUser>([
  [1, { id: 1, name: "Ada Lovelace", color: "#0072b2" }],
  [2, { id: 2, name: "Grace Hopper", color: "#d55e00" }],
  [3, { id: 3, name: "Alan Turing", color: "#009e73" }],
]);
const relationTypes = ["attributes"];

// ?presence: another person's selection arrives over awareness, as from the provider.
let awareness: Awareness | null = null;
if (params.has("presence")) {
  awareness = new Awareness(fixture.doc);
  awareness.setLocalStateField("user", { id: 1, name: "Ada Lovelace", color: "#0072b2" });
  const remote = new Awareness(new Y.Doc());
  const at = fixture.text.indexOf(" ", 900) + 1;
  remote.setLocalState({
    user: { id: 2, name: "Grace Hopper", color: "#d55e00" },
    selection: { start: at, end: at + 40 },
  });
  applyAwarenessUpdate(awareness, encodeAwarenessUpdate(remote, [remote.clientID]), "remote");
}
function lastSpan(): string {
  let best = "";
  let at = -1;
  spansOf(fixture.doc).forEach((s, id) => {
    if (s.start > at) [best, at] = [id, s.start];
  });
  return best;
}

const ref = createRef<EditorHandle>();
const root = createRoot(document.getElementById("root")!);
let mountedAt = 0;
let generation = 0;
let onOpen: ((ms: number) => void) | null = null;

const bench: BenchApi = {
  ready: false,
  opens: [],
  labelTimes: [],
  spanCount: fixture.spanCount,
  overlapping: fixture.overlapping,
  relationCount: fixture.relationCount,
  textLength: fixture.text.length,
  text: fixture.text,
  lastSpanId: lastSpan(),
  handle: null,
  prepare(i) {
    // Targets spread through the first screens of text, starting mid-word so snapping has work to do.
    const at = 400 + i * 1500;
    const start = fixture.text.indexOf(" ", at) + 3;
    const end = fixture.text.indexOf(" ", start + 12) - 2;
    ref.current?.selectText(start, end);
  },
  scroll(step, maxFrames = Number.POSITIVE_INFINITY) {
    const el = document.querySelector<HTMLElement>(".gl-scroll")!;
    el.scrollTop = 0;
    return new Promise((resolve) => {
      const frames: number[] = [];
      let last = 0;
      const tick = (now: number) => {
        if (last) frames.push(now - last);
        last = now;
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1 || frames.length >= maxFrames) {
          return resolve(frames);
        }
        el.scrollBy(0, step);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  },
  reopen() {
    // A new key makes React unmount the editor (session destroyed) and mount a fresh one.
    return new Promise((resolve) => {
      onOpen = resolve;
      mount();
    });
  },
};
window.__bench = bench;

// The label-paint probe: from the keydown (capture, before the editor sees it) to the first animation
// frame after the new span's decoration is in the DOM.
let pendingSpan: string | null = null;
spansOf(fixture.doc).observe((event) => {
  for (const [key, change] of event.changes.keys) if (change.action === "add") pendingSpan = key;
});
document.addEventListener(
  "keydown",
  (event) => {
    if (event.key !== "1") return;
    const t0 = performance.now();
    pendingSpan = null;
    const check = () => {
      if (pendingSpan && document.querySelector(`[data-span-id="${pendingSpan}"]`)) {
        bench.labelTimes.push(performance.now() - t0);
      } else if (performance.now() - t0 < 5000) requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  },
  { capture: true },
);

function mount() {
  generation++;
  mountedAt = performance.now();
  root.render(
    <StrictMode>
      {/* ?pagescroll: an editor taller than the screen, the page scrolling (the editor must cope). */}
      <div style={{ height: params.has("pagescroll") ? "auto" : "100vh" }}>
        <AnnotationEditor
          key={generation}
          ref={ref}
          text={fixture.text}
          doc={fixture.doc}
          labels={fixture.labels}
          relationTypes={relationTypes}
          snapping="word"
          userId={1}
          users={users}
          showAuthors={params.has("authors")}
          awareness={awareness}
          onReady={() => {
            const ms = performance.now() - mountedAt;
            bench.opens.push(ms);
            bench.handle = ref.current;
            bench.ready = true;
            onOpen?.(ms);
            onOpen = null;
          }}
        />
      </div>
    </StrictMode>,
  );
}
mount();
