/**
 * Concurrent edits of one span (issue 13, item 8). A span is one entry of the layer's spans map, so when two
 * people change the same span before seeing each other's change (offline, or within the same round trip),
 * Yjs keeps one of the two records and drops the other without a word. This watch notices the case where
 * the dropped one was this client's: the span's current record was written by another client *on top of
 * the record before ours* (its Yjs origin is not our item), so they never saw our edit. An edit made after
 * seeing ours is an ordinary later edit, not reported.
 */
import { type SpanRecord, spansOf } from "@gloss/shared";
import * as Y from "yjs";

export interface ReplacedEdit {
  spanId: string;
  /** Our record that was dropped. */
  mine: SpanRecord;
  /** The record that was kept. */
  theirs: SpanRecord;
  /** The Yjs client that wrote the kept record (awareness knows whose it is). */
  byClient: number;
}

/** Watches the doc's spans map; `onReplaced` runs for each of our edits that a concurrent one replaced. */
export function watchReplacedEdits(doc: Y.Doc, onReplaced: (edit: ReplacedEdit) => void): () => void {
  const spans = spansOf(doc);
  /** Per span: the map item of our latest write, while it is the span's current record. */
  const mine = new Map<string, { id: Y.ID; record: SpanRecord }>();
  const onChange = (event: Y.YMapEvent<SpanRecord>, tr: Y.Transaction) => {
    for (const key of event.keysChanged) {
      const item = spans._map.get(key);
      const current = item && !item.deleted ? item : null;
      if (tr.local) {
        const record = spans.get(key);
        if (current && record && current.id.client === doc.clientID)
          mine.set(key, { id: current.id, record });
        else mine.delete(key);
        continue;
      }
      const ours = mine.get(key);
      if (!ours || (current && Y.compareIDs(current.id, ours.id))) continue;
      mine.delete(key);
      // Deleted, or written by someone who had seen our record: not a lost concurrent edit.
      if (!current || Y.compareIDs(current.origin, ours.id)) continue;
      const theirs = spans.get(key);
      if (theirs && differs(ours.record, theirs)) {
        onReplaced({ spanId: key, mine: ours.record, theirs, byClient: current.id.client });
      }
    }
  };
  spans.observe(onChange);
  return () => spans.unobserve(onChange);
}

/** Whether two records of a span differ in anything a person set (not just the time of the write). */
function differs(a: SpanRecord, b: SpanRecord): boolean {
  return a.label !== b.label || a.start !== b.start || a.end !== b.end || (a.note ?? "") !== (b.note ?? "");
}
