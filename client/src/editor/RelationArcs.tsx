/**
 * Relations drawn as arcs from the source span's start tag to the target's, in an SVG laid over the text.
 * The positions are measured from the tags' DOM rectangles when the browser is idle, and only again when a
 * relation or one of its endpoints changes (or enters the decorated window) or the text reflows
 * (ResizeObserver): never just because of scrolling (the SVG scrolls with the text).
 */
import { listRelations } from "@gloss/shared";
import { type RefObject, useEffect, useState } from "react";
import type { EditorSession } from "./session";
import type { EditorUiState } from "./store";

interface Arc {
  id: string;
  from: string;
  to: string;
  type: string;
  d: string;
}

/** How far above its first letter a start tag reaches (editor.css: .gl-start::before). */
const TAG_HEIGHT = 12;

function arcPath(x1: number, y1: number, x2: number, y2: number): string {
  const lift = Math.min(36, 12 + Math.abs(x2 - x1) / 10 + Math.abs(y2 - y1) / 12);
  const top = Math.min(y1, y2) - lift;
  return `M ${x1} ${y1} C ${x1} ${top}, ${x2} ${top}, ${x2} ${y2 - 3}`;
}

function measure(session: EditorSession, page: HTMLElement): Arc[] {
  const relations = listRelations(session.doc);
  if (relations.length === 0) return [];
  const wanted = new Set<string>();
  for (const r of relations) wanted.add(r.from).add(r.to);
  const tags = new Map<string, Element>();
  for (const el of page.querySelectorAll(".gl-start[data-start-for]")) {
    const id = el.getAttribute("data-start-for")!;
    if (wanted.has(id) && !tags.has(id)) tags.set(id, el);
  }
  const box = page.getBoundingClientRect();
  const arcs: Arc[] = [];
  for (const r of relations) {
    const a = tags.get(r.from)?.getBoundingClientRect();
    const b = tags.get(r.to)?.getBoundingClientRect();
    if (!a || !b) continue;
    // From the top of one start tag (drawn just above the span's first letter) to the other's.
    const x1 = a.left + 4 - box.left;
    const y1 = a.top - TAG_HEIGHT - box.top;
    const x2 = b.left + 4 - box.left;
    const y2 = b.top - TAG_HEIGHT - box.top;
    arcs.push({ id: r.id, from: r.from, to: r.to, type: r.type, d: arcPath(x1, y1, x2, y2) });
  }
  return arcs;
}

export function RelationArcs({
  session,
  ui,
  pageRef,
}: {
  session: EditorSession;
  ui: EditorUiState;
  pageRef: RefObject<HTMLDivElement | null>;
}) {
  const [arcs, setArcs] = useState<Arc[]>([]);
  const [reflow, setReflow] = useState(0);
  const version = ui.arcsVersion;

  useEffect(() => {
    const page = pageRef.current;
    if (!page) return;
    let last = page.clientWidth;
    const observer = new ResizeObserver(() => {
      if (page.clientWidth !== last) {
        last = page.clientWidth;
        setReflow((n) => n + 1);
      }
    });
    observer.observe(page);
    return () => observer.disconnect();
  }, [pageRef]);

  useEffect(() => {
    const page = pageRef.current;
    if (!page) return;
    void version;
    void reflow;
    // Measure when the browser is idle (after the frame that shows the change), so that measuring never
    // delays a paint, nor a scroll frame.
    const run = () => setArcs(measure(session, page));
    if (typeof requestIdleCallback === "function") {
      const idle = requestIdleCallback(run, { timeout: 500 });
      return () => cancelIdleCallback(idle);
    }
    const timer = setTimeout(run, 50);
    return () => clearTimeout(timer);
  }, [session, pageRef, version, reflow]);

  if (arcs.length === 0) return null;
  const active = ui.selectedId;
  return (
    <svg className="gl-arcs" aria-hidden="true">
      <defs>
        <marker
          id="gl-arrow"
          viewBox="0 0 8 8"
          refX="4"
          refY="4"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 8 4 L 0 8 z" className="gl-arrow" />
        </marker>
      </defs>
      {arcs.map((a) => (
        <path
          key={a.id}
          d={a.d}
          className={active && (a.from === active || a.to === active) ? "gl-arc gl-arc-active" : "gl-arc"}
          markerEnd="url(#gl-arrow)"
        >
          <title>{a.type}</title>
        </path>
      ))}
    </svg>
  );
}
