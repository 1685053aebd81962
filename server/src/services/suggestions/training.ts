/**
 * What the built-in recommender learns from, read from the projection tables (never from live rooms, never
 * on the sync loop), and its quality on held-out documents of the project.
 */
import type { LayerName, ProjectMode, RecommenderQualityDto, StringMatchConfig } from "@gloss/shared";
import { and, desc, eq, like, ne, not, or, type SQL } from "drizzle-orm";
import { all, type Gen, inIds, type Store } from "../../db/store";
import { type Example, type Prediction, StringMatcher } from "./stringMatch";

/** Whose layers a training set reads. */
export type AnnotatorScope =
  /** One layer (a caller's own: in independent mode an annotator never learns from the others, blind). */
  | { layer: LayerName }
  /** Every annotator layer (quality evaluation, for managers). */
  | "all";

export interface TrainingQuery {
  projectId: number;
  sources: StringMatchConfig["sources"];
  annotators: AnnotatorScope;
  /** Documents left out entirely (held out). */
  excludeDocuments?: readonly number[];
  /** A document of which only the `annotators` layer is read (the one being annotated: no peeking at gold). */
  ownOnlyDocument?: { id: number; layer: LayerName };
}

/**
 * Most spans one training reads (the newest documents' first): bounds a request's work, since it reads the
 * texts of the documents they are in. A dictionary kept up to date from the projection is the next step.
 */
export const MAX_TRAINING_SPANS = 50_000;

interface SpanRow {
  documentId: number;
  layer: string;
  start: number;
  end: number;
  labelId: number;
}

const annotatorLayers = (store: Store): SQL =>
  or(like(store.t.annotations.layer, "user-%"), eq(store.t.annotations.layer, "shared"))!;

/** Spans of the layers a training set reads (projection rows, UTF-16 offsets). */
function* trainingRows(store: Store, q: TrainingQuery): Gen<SpanRow[]> {
  const a = store.t.annotations;
  const layers: SQL[] = [];
  if (q.sources.includes("gold")) layers.push(eq(a.layer, "gold"));
  if (q.sources.includes("annotators"))
    layers.push(q.annotators === "all" ? annotatorLayers(store) : eq(a.layer, q.annotators.layer));
  const where: SQL[] = [eq(a.projectId, q.projectId), or(...layers)!];
  if (q.excludeDocuments?.length) where.push(not(inIds(store, a.documentId, q.excludeDocuments)));
  if (q.ownOnlyDocument)
    where.push(not(and(eq(a.documentId, q.ownOnlyDocument.id), ne(a.layer, q.ownOnlyDocument.layer))!));
  return yield* all(
    store.q
      .select({ documentId: a.documentId, layer: a.layer, start: a.start, end: a.end, labelId: a.labelId })
      .from(a)
      .where(and(...where))
      .orderBy(desc(a.documentId))
      .limit(MAX_TRAINING_SPANS),
  );
}

/** The texts of these documents. */
function* textsOf(store: Store, ids: readonly number[]): Gen<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const d = store.t.documents;
  const rows = yield* all(
    store.q
      .select({ id: d.id, text: d.text })
      .from(d)
      .where(inIds(store, d.id, [...ids])),
  );
  return new Map(rows.map((r) => [r.id, r.text]));
}

function* examplesOf(store: Store, rows: SpanRow[]): Gen<Example[]> {
  const texts = yield* textsOf(store, [...new Set(rows.map((r) => r.documentId))]);
  return rows.flatMap((r) => {
    const text = texts.get(r.documentId);
    return text === undefined ? [] : [{ text: text.slice(r.start, r.end), label: r.labelId }];
  });
}

/** A string matcher trained on what the query reads. */
export function* trainStringMatcher(
  store: Store,
  q: TrainingQuery,
  config: StringMatchConfig,
): Gen<StringMatcher> {
  return new StringMatcher(yield* examplesOf(store, yield* trainingRows(store, q)), config);
}

/** Which annotator scope a caller's suggestions learn from: their own layer (shared mode: the shared one). */
export const callerScope = (mode: ProjectMode, ownLayer: LayerName): AnnotatorScope =>
  mode === "shared" ? { layer: "shared" } : { layer: ownLayer };

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

function scores(tp: number, fp: number, fn: number) {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { tp, fp, fn, precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
}

/**
 * Quality on held-out documents: every fifth document that has reference spans (at least one when there are
 * two or more) is held out; the matcher is trained on the others and its predictions on each held-out
 * document are compared with the reference — the gold layer when the project has gold, else each annotator
 * layer — by exact offsets and label. Per label and micro-averaged.
 */
export function* stringMatchQuality(
  store: Store,
  projectId: number,
  recommenderId: number,
  config: StringMatchConfig,
  labels: ReadonlyMap<number, string>,
): Gen<Omit<RecommenderQualityDto, "recommender"> & { recommender: number }> {
  const gold = yield* trainingRows(store, { projectId, sources: ["gold"], annotators: "all" });
  const reference = gold.length > 0 ? "gold" : "annotators";
  const refRows =
    gold.length > 0
      ? gold
      : yield* trainingRows(store, { projectId, sources: ["annotators"], annotators: "all" });
  const docs = [...new Set(refRows.map((r) => r.documentId))].sort((a, b) => a - b);
  const heldOut =
    docs.length >= 5 ? docs.filter((_, i) => i % 5 === 4) : docs.length >= 2 ? [docs[docs.length - 1]!] : [];
  const counts = new Map<number, { tp: number; fp: number; fn: number }>();
  const countOf = (label: number) => {
    let c = counts.get(label);
    if (!c) {
      c = { tp: 0, fp: 0, fn: 0 };
      counts.set(label, c);
    }
    return c;
  };
  if (heldOut.length > 0) {
    const matcher = yield* trainStringMatcher(
      store,
      { projectId, sources: config.sources, annotators: "all", excludeDocuments: heldOut },
      config,
    );
    const texts = yield* textsOf(store, heldOut);
    for (const documentId of heldOut) {
      const predicted = matcher.predict(texts.get(documentId) ?? "");
      const byLayer = new Map<string, Set<string>>();
      for (const r of refRows) {
        if (r.documentId !== documentId) continue;
        let set = byLayer.get(r.layer);
        if (!set) {
          set = new Set();
          byLayer.set(r.layer, set);
        }
        set.add(`${r.start}:${r.end}:${r.labelId}`);
      }
      for (const truth of byLayer.values()) compare(predicted, truth, countOf);
    }
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perLabel = [...labels].map(([label, labelName]) => {
    const c = counts.get(label) ?? { tp: 0, fp: 0, fn: 0 };
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
    return { label, labelName, ...scores(c.tp, c.fp, c.fn) };
  });
  return {
    recommender: recommenderId,
    reference,
    heldOutDocuments: heldOut.length,
    trainingDocuments: docs.length - heldOut.length,
    labels: perLabel,
    micro: scores(tp, fp, fn),
  };
}

function compare(
  predicted: Prediction[],
  truth: Set<string>,
  countOf: (label: number) => { tp: number; fp: number; fn: number },
): void {
  const seen = new Set<string>();
  for (const p of predicted) {
    const key = `${p.start}:${p.end}:${p.label}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (truth.has(key)) countOf(p.label).tp++;
    else countOf(p.label).fp++;
  }
  for (const key of truth) if (!seen.has(key)) countOf(Number(key.split(":")[2])).fn++;
}
