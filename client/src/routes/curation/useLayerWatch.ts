/**
 * Watches annotator layers read-only while the curation view is open, so that a change to one (an
 * annotator who reopened their layer and edits it, issue 13) re-reads the view, which the server aligns
 * from the layers' projection. One effect with full teardown holds a Y.Doc and provider per layer
 * (style guide: client providers live in effects). The curator's presence is not announced in these
 * rooms — the annotators are not being joined, only read — so the awareness state is null from the start
 * (y-websocket sends none then, and the server stamps nothing).
 */
import { type LayerName, roomName, TERMINAL_CLOSE_CODES } from "@gloss/shared";
import { useEffect, useRef } from "react";
import { Awareness } from "y-protocols/awareness";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { collabServerUrl } from "../../collab/useLayerConnection";
import { GOLD_DEBOUNCE_MS } from "./useGoldRoom";

/** Calls `onChange` (debounced) after every change to one of `layers` that arrives once it is synced. */
export function useLayerWatch(documentId: number, layers: readonly LayerName[], onChange: () => void): void {
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  // one connection set per distinct list (the view's array is new on every read)
  const key = [...layers].sort().join(",");

  useEffect(() => {
    if (!key) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => onChangeRef.current(), GOLD_DEBOUNCE_MS);
    };
    const watches = key.split(",").map((layer) => {
      const room = roomName(documentId, layer as LayerName);
      const doc = new Y.Doc({ guid: room });
      const awareness = new Awareness(doc);
      awareness.setLocalState(null);
      const provider = new WebsocketProvider(collabServerUrl(), room, doc, {
        awareness,
        shouldReconnect: (e: CloseEvent) => !TERMINAL_CLOSE_CODES.has(e.code),
      });
      // every sync re-reads once: the first covers a change between the view's read and this connection,
      // a later one (after a drop) what changed meanwhile
      const onSync = (synced: boolean) => {
        if (synced) schedule();
      };
      const onUpdate = () => {
        if (provider.synced) schedule();
      };
      provider.on("sync", onSync);
      doc.on("update", onUpdate);
      return () => {
        provider.off("sync", onSync);
        doc.off("update", onUpdate);
        provider.destroy();
        awareness.destroy();
        doc.destroy();
      };
    });
    return () => {
      clearTimeout(timer);
      for (const stop of watches) stop();
    };
  }, [documentId, key]);
}
