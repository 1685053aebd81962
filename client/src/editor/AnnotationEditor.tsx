/**
 * The annotation editor: the immutable document text in Tiptap, the layer's spans drawn over it, a docked
 * label palette above and the selected span's inspector docked at the right (below, when the editor is
 * narrow); only the text scrolls, so the tools and their hints stay in view. The EditorSession (ProseMirror, Yjs
 * observers, undo manager, awareness) lives in an effect with full teardown, so StrictMode's double mount
 * leaves nothing behind.
 *
 * Keep `labels`, `users` and `labelFilter` referentially stable between renders: a new identity redraws
 * every span.
 */
import {
  forwardRef,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { EditorActions } from "./actions";
import { HoverCard, type HoverState, hoverFromEvent } from "./HoverCard";
import { Inspector } from "./Inspector";
import { EditorInput } from "./input";
import { KeyboardHelp } from "./KeyboardHelp";
import { readCompactTags, writeCompactTags } from "./labelTags";
import { Notice } from "./Notice";
import { Palette } from "./Palette";
import { RelationArcs } from "./RelationArcs";
import { EditorSession } from "./session";
import { type EditorUiState, initialUiState } from "./store";
import type { AnnotationEditorProps, EditorHandle } from "./types";
import "./editor.css";

interface Open {
  session: EditorSession;
  actions: EditorActions;
}

const noSubscribe = () => () => {};
const initial = () => initialUiState;

export const AnnotationEditor = forwardRef<EditorHandle, AnnotationEditorProps>(
  function AnnotationEditor(props, ref) {
    const hostRef = useRef<HTMLDivElement>(null);
    const pageRef = useRef<HTMLDivElement>(null);
    const scrollRef = useRef<HTMLDivElement>(null);
    const propsRef = useRef(props);
    const [open, setOpen] = useState<Open | null>(null);
    const [hover, setHover] = useState<HoverState | null>(null);
    const [compact, setCompact] = useState(readCompactTags);
    const toggleCompact = () => {
      writeCompactTags(!compact);
      setCompact(!compact);
    };
    const { text, doc } = props;

    useLayoutEffect(() => {
      propsRef.current = props;
    });

    useEffect(() => {
      const host = hostRef.current!;
      let input: EditorInput | null = null;
      const session = new EditorSession(
        host,
        text,
        doc,
        () => propsRef.current,
        {
          keydown: (event) => input?.keydown(event) ?? false,
          click: (view, event) => input?.click(view, event) ?? false,
        },
        () => scrollRef.current,
      );
      const actions = new EditorActions(session);
      input = new EditorInput(session, actions);
      setOpen({ session, actions });
      // onReady after the first frame with the text has been painted.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const raf = requestAnimationFrame(() => {
        timer = setTimeout(() => {
          session.updateViewport();
          propsRef.current.onReady?.();
        }, 0);
      });
      return () => {
        cancelAnimationFrame(raf);
        clearTimeout(timer);
        session.destroy();
        setOpen(null);
        setHover(null);
      };
    }, [text, doc]);

    const { labels, showAuthors, users, labelFilter, awareness } = props;
    useEffect(() => {
      open?.session.setAppearance({ labels, showAuthors, users, labelFilter });
    }, [open, labels, showAuthors, users, labelFilter]);

    const { suggestions } = props;
    useEffect(() => {
      open?.session.batch(() => open.session.ghosts.set(suggestions ?? []));
    }, [open, suggestions]);

    useEffect(() => {
      if (!open) return;
      open.session.setAwareness(awareness ?? null);
      return () => open.session.setAwareness(null);
    }, [open, awareness]);

    useImperativeHandle(
      ref,
      () => ({
        scrollToSpan: (id) => open?.actions.scrollToSpan(id),
        selectSpan: (id) =>
          open?.session.batch(() => open.session.select(id, { caret: id !== null, scroll: id !== null })),
        selectSuggestion: (key) => open?.session.batch(() => open.session.ghosts.select(key)),
        focus: () => open?.session.view.focus(),
        undo: () => open?.actions.undo(),
        redo: () => open?.actions.redo(),
        selectText: (start, end) => open?.actions.selectText(start, end),
      }),
      [open],
    );

    const ui: EditorUiState = useSyncExternalStore(
      open?.session.store.subscribe ?? noSubscribe,
      open?.session.store.get ?? initial,
    );

    // Scrolling moves the decorated window; the pointer drives the hover card. Both once per frame at most.
    useEffect(() => {
      const scroller = scrollRef.current;
      if (!open || !scroller) return;
      let scrollFrame = 0;
      let hoverFrame = 0;
      let pointer: { target: EventTarget | null; x: number } = { target: null, x: 0 };
      const onScroll = () => {
        scrollFrame ||= requestAnimationFrame(() => {
          scrollFrame = 0;
          open.session.updateViewport();
        });
      };
      const onMove = (event: MouseEvent) => {
        pointer = { target: event.target, x: event.clientX };
        hoverFrame ||= requestAnimationFrame(() => {
          hoverFrame = 0;
          const next = hoverFromEvent(pointer.target, pointer.x, pageRef.current);
          setHover((prev) => (prev?.key === next?.key ? prev : next));
        });
      };
      const onLeave = () => {
        cancelAnimationFrame(hoverFrame);
        hoverFrame = 0;
        setHover(null);
      };
      // Capture: the scroll may be the editor's own box or any scrolling ancestor (the page).
      document.addEventListener("scroll", onScroll, { passive: true, capture: true });
      scroller.addEventListener("mousemove", onMove, { passive: true });
      scroller.addEventListener("mouseleave", onLeave);
      return () => {
        cancelAnimationFrame(scrollFrame);
        cancelAnimationFrame(hoverFrame);
        document.removeEventListener("scroll", onScroll, { capture: true });
        scroller.removeEventListener("mousemove", onMove);
        scroller.removeEventListener("mouseleave", onLeave);
      };
    }, [open]);

    return (
      <div
        className={`gl-editor${props.readOnly ? " gl-readonly" : ""}${showAuthors ? " gl-shared" : ""}${compact ? " gl-compact" : " gl-names"}`}
      >
        {open && (
          <Palette
            open={open}
            ui={ui}
            labels={labels}
            readOnly={!!props.readOnly}
            compact={compact}
            onToggleCompact={toggleCompact}
          />
        )}
        <div className="gl-body">
          <div className="gl-scroll" ref={scrollRef}>
            <div className="gl-page" ref={pageRef}>
              <div ref={hostRef} className="gl-host" />
              {open && <RelationArcs session={open.session} ui={ui} pageRef={pageRef} />}
              {open && hover && <HoverCard session={open.session} hover={hover} ui={ui} />}
            </div>
          </div>
          <div className="gl-tools">
            {open && ui.notice && (
              <Notice
                key={ui.notice.id}
                text={ui.notice.text}
                onKeepMine={
                  props.readOnly
                    ? undefined
                    : () => {
                        open.actions.keepMine();
                        open.session.view.focus();
                      }
                }
                onDismiss={() => {
                  open.session.store.set({ notice: null });
                  open.session.view.focus();
                }}
              />
            )}
            {open && <Inspector open={open} ui={ui} readOnly={!!props.readOnly} />}
          </div>
        </div>
        <div className="gl-sr" role="status" aria-live="polite">
          {ui.message}
        </div>
        {open && ui.helpOpen && (
          <KeyboardHelp onClose={() => open.actions.toggleHelp(false)} view={open.session.view} />
        )}
      </div>
    );
  },
);
