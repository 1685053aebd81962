/**
 * Streaming export: reads the projection tables (never the Yjs store) page by page and turns them into
 * format bytes through the shared codecs. The same job serves `GET /api/projects/:id/export`, `gloss
 * export` and the benchmark.
 *
 * Why pages and not one open `.iterate()` cursor for the whole export: the HTTP response is written at the
 * client's pace, and while a better-sqlite3 iterator is open the connection refuses every write ("This
 * database connection is busy executing a query") — the collaboration server's persistence would fail.
 * Each page (PAGE documents, then their spans and relations by merged ordered queries) is read in one
 * step, so no cursor outlives a chunk and memory stays bounded by one page.
 *
 * On both databases (issue 12): the encoders are plain generators over the source's records; a page's
 * reads travel up through them as a `Read` (exportSource.ts), and a chunk is pulled as a service,
 * `pull(): Gen<Uint8Array | null>`, which runs those reads — with executeSync on SQLite (one synchronous
 * step per chunk, as before), awaited with execute on PostgreSQL. The bytes are the same either way.
 */

import zlib from "node:zlib";
import {
  addDrops,
  addSkipped,
  bratAnn,
  bratBaseName,
  bratConf,
  createTextWriter,
  type DropCounts,
  type ExportContext,
  type ExportQuery,
  type ExportRecord,
  emptyDrops,
  FORMAT_INFO,
  type HfConfig,
  hfCard,
  hfLines,
  hfSentenceNumbers,
  type SkippedRows,
  SPLIT_NAMES,
  type SplitName,
  skippedReasons,
  splitIdsAtLeastOne,
} from "@gloss/shared";
import { type AsyncFlateStreamHandler, Zip, type ZipInputFile } from "fflate";
import type { Db } from "../db/client";
import { callSync, databaseOf, type Gen, type Store, storeOf } from "../db/store";
import { badRequest, notFound } from "../errors";
import type { Logger } from "../log";
import { type ExportSource, nextOf, openSource, Read, type Reading, read, settled } from "./exportSource";

export interface ExportStats {
  /** Documents read so far (every pass). */
  work: number;
  /** Documents × passes this export will read (Hugging Face reads each split, per label config, once). */
  totalWork: number;
  records: number;
  spans: number;
  relations: number;
  drops: DropCounts;
  /** Stored rows skipped as unsound (bad offsets, unknown label, relation without its ends), and why. */
  skipped: SkippedRows;
  /** Rooms (`doc/<id>/<layer>`) of the skipped rows, with how many each. */
  skippedRooms: Map<string, number>;
  /** Documents left out of a gold export because their curation is not done (see `includeUncurated`). */
  uncuratedExcluded: number;
  /** Pages of documents read so far. */
  pages: number;
  /** Hugging Face: how the split fell back (empty when it is the plain document split). */
  splitNotes: string[];
  /** `running` until the job's chunks end: `done` when all was produced, `stopped` when cut short. */
  state: "pending" | "running" | "done" | "stopped";
}

export interface ExportOptions {
  now?: Date;
  /** The consumer went away (HTTP client disconnected): stop reading at the next page and end. */
  signal?: AbortSignal;
  /** Where the one line per export about skipped rows and fallbacks goes. */
  log?: Logger;
}

/** What a database's running exports have done: observable by tests and shutdown. */
export interface ExportActivity {
  started: number;
  finished: number;
  /** Finished before producing everything (aborted, cancelled, or failed). */
  stopped: number;
  /** Pages of documents read, every export together. */
  pages: number;
  /** Exports producing right now. */
  running: number;
}

interface Registry {
  activity: ExportActivity;
  controllers: Set<AbortController>;
  idle: Set<() => void>;
}
const registries = new WeakMap<object, Registry>();

/** What identifies a database: a SQLite Db (or its store), a PostgreSQL store's pool. */
const databaseKey = (db: Db | Store): object => databaseOf(storeOf(db));

const registry = (db: Db | Store): Registry => {
  const key = databaseKey(db);
  let r = registries.get(key);
  if (!r) {
    r = {
      activity: { started: 0, finished: 0, stopped: 0, pages: 0, running: 0 },
      controllers: new Set(),
      idle: new Set(),
    };
    registries.set(key, r);
  }
  return r;
};

/** The export counters of a database (live object). */
export const exportActivity = (db: Db | Store): ExportActivity => registry(db).activity;

/**
 * Counts a running export of `db` (`ctrl` aborts it at shutdown) until `end`; an export read in the worker
 * thread is counted here too, its pages as they arrive (`pages`).
 */
export function startRun(
  db: Db | Store,
  ctrl: AbortController,
): { pages(n: number): void; end(completed: boolean): void } {
  const reg = registry(db);
  reg.controllers.add(ctrl);
  reg.activity.started++;
  reg.activity.running++;
  let ended = false;
  return {
    pages: (n) => {
      reg.activity.pages += n;
    },
    end: (completed) => {
      if (ended) return;
      ended = true;
      reg.controllers.delete(ctrl);
      reg.activity.running--;
      reg.activity.finished++;
      if (!completed) reg.activity.stopped++;
      if (reg.activity.running === 0) for (const f of [...reg.idle]) f();
    },
  };
}

/**
 * Shutdown: waits up to `graceMs` for the database's running exports to end, then aborts the rest (each
 * stops at its next page and its response is cut short). Resolves once none is running or the grace is
 * over, whichever comes first.
 */
export async function drainExports(db: Db | Store, graceMs: number): Promise<void> {
  const r = registry(db);
  if (r.activity.running > 0) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        r.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, graceMs));
      r.idle.add(done);
    });
  }
  for (const c of r.controllers) c.abort(new Error("the server is shutting down"));
}

/** One file of a zip export: its path and its text, piece by piece. */
export interface ZipEntry {
  name: string;
  content: Iterable<string>;
}

/** A zip entry as the encoders make it: its text, with the reads it needs between pieces. */
export interface ReadingEntry {
  name: string;
  content: Reading<string>;
}

/** An export's bytes pulled one chunk at a time, on either database. */
export interface ExportReader {
  /** The next chunk of about 64 KiB, or null at the end: a service (executeSync on SQLite, execute on PG). */
  pull(): Gen<Uint8Array | null>;
  /** Ends the export before its end (counted as stopped; nothing after the end). */
  stop(): void;
}

export interface ExportJob {
  filename: string;
  contentType: string;
  stats: ExportStats;
  /** The export's bytes, pulled chunk by chunk at the consumer's pace, on either database. */
  open(): ExportReader;
  /** SQLite: the export's bytes, chunk by chunk (about 64 KiB each), synchronously. */
  chunks(): Generator<Uint8Array>;
  /** Aborted when the consumer went away or the server shuts down: stop pulling and end the response. */
  signal: AbortSignal;
  /**
   * Zip formats, SQLite: the files one by one, for writing a directory instead of a zip (`gloss export
   * --out dir/`).
   */
  entries?: () => Iterable<ZipEntry>;
  /**
   * Zip formats, on either database: the files one by one with the reads they need, each entry and each
   * piece of its content taken with `nextOf` (executeSync on SQLite, execute on PostgreSQL); every entry's
   * content is read before the next entry.
   */
  files?: () => Reading<ReadingEntry>;
}

const CHUNK = 64 * 1024;

/** `planExport` on a SQLite database, synchronously (the CLI, the benchmark, the tests). */
export function createExport(db: Db, projectId: number, q: ExportQuery, opts: ExportOptions = {}): ExportJob {
  return callSync(db, planExport, projectId, q, opts);
}

/** Plans an export of a project (404 when it does not exist, 400 for unknown label names in the filter). */
export function* planExport(
  store: Store,
  projectId: number,
  q: ExportQuery,
  opts: ExportOptions = {},
): Gen<ExportJob> {
  const now = opts.now ?? new Date();
  const ctrl = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, ctrl.signal]) : ctrl.signal;
  const src = yield* openSource(store, projectId, q, {
    signal,
    onPage: () => {
      stats.pages++;
      registry(store).activity.pages++;
    },
  });
  if (!src) throw notFound("No such project");
  const unknown = (q.labels ?? []).filter((l) => !src.labels.includes(l));
  if (unknown.length) throw badRequest(`Unknown labels in the filter: ${unknown.join(", ")}`, { unknown });
  const info = FORMAT_INFO[q.format];
  const ctx: ExportContext = {
    offsets: q.offsets,
    project: { id: projectId, name: src.projectName },
    labels: q.labels ? src.labels.filter((l) => q.labels!.includes(l)) : src.labels,
    relationTypes: src.relationTypes,
  };
  const stats: ExportStats = {
    work: 0,
    totalWork: 0,
    records: 0,
    spans: 0,
    relations: 0,
    drops: emptyDrops(),
    skipped: src.skipped,
    skippedRooms: src.skippedRooms,
    uncuratedExcluded: yield* src.uncuratedExcluded(),
    pages: 0,
    splitNotes: [],
    state: "pending",
  };
  const slug = (s: string) =>
    s
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "project";
  const filename = `${slug(src.projectName)}-${q.layer}-${q.format}.${info.extension}`;
  const counted = (records: Reading<ExportRecord>) => countRecords(records, stats);
  const documents = yield* src.count();

  let body: () => Generator<string | Uint8Array | Read>;
  let entries: (() => Generator<ReadingEntry | Read>) | undefined;
  if (q.format === "brat") {
    stats.totalWork = documents;
    entries = () => bratEntries(src, ctx, q.layer, stats, counted);
  } else if (q.format === "huggingface") {
    entries = () => hfEntries(src, ctx, q, stats, counted, now, opts.log);
    const configs = q.overlap === "per-label" ? ctx.labels.length : 1;
    stats.totalWork = documents * configs;
  }
  if (entries) {
    const zipped = entries;
    body = () => zipStream(zipped());
  } else {
    stats.totalWork = documents;
    const policy = q.overlap === "keep-first" ? "keep-first" : "keep-longest";
    const writer = createTextWriter(q.format, { ...ctx, policy, layer: q.layer, rawCsv: q.raw });
    body = function* () {
      yield writer.begin();
      for (const r of counted(src.records())) yield r instanceof Read ? r : writer.write(r);
      yield writer.end();
      addDrops(stats.drops, writer.drops);
      addSkipped(stats.skipped, writer.skipped);
    };
  }
  /** Registers the running job, and reports once at its end (whether it completed or was cut short). */
  function* tracked<T>(pieces: Reading<T>): Generator<T | Read> {
    const run = startRun(store, ctrl);
    stats.state = "running";
    let completed = false;
    try {
      for (const p of pieces) {
        yield p;
        if (p instanceof Read) continue;
        if (signal.aborted) return; // the consumer is gone: produce nothing more
      }
      completed = !signal.aborted;
    } finally {
      stats.state = completed ? "done" : "stopped";
      run.end(completed);
      reportExport(opts.log, projectId, q, stats, completed);
    }
  }
  const open = (): ExportReader => {
    const it = tracked(coalesce(body()));
    let ended = false;
    return {
      *pull() {
        if (ended) return null;
        try {
          const step = yield* nextOf(it);
          if (!step.done) return step.value;
        } catch (err) {
          ended = true;
          throw err;
        }
        ended = true;
        return null;
      },
      stop() {
        ended = true;
        it.return(undefined);
      },
    };
  };
  return {
    filename,
    contentType: info.contentType,
    stats,
    signal,
    open,
    chunks: () => settled(store, tracked(coalesce(body()))),
    files: entries && (() => tracked(entries())),
    entries:
      entries &&
      (() => {
        const zipped = entries;
        // every entry's content is read before the next entry (a directory is written file by file)
        return (function* () {
          for (const e of settled(store, tracked(zipped())))
            yield { name: e.name, content: settled(store, e.content) };
        })();
      }),
  };
}

/** The one log line of an export that skipped rows or fell back (or was stopped). */
export function reportExport(
  log: Logger | undefined,
  projectId: number,
  q: ExportQuery,
  stats: ExportStats,
  completed: boolean,
): void {
  if (!log) return;
  if (stats.skipped.total > 0) {
    const rooms = [...stats.skippedRooms].slice(0, 20).map(([room, n]) => `${room} (${n})`);
    log.warn("export skipped unsound stored rows", {
      project: projectId,
      format: q.format,
      layer: q.layer,
      skipped: stats.skipped.total,
      reasons: skippedReasons(stats.skipped),
      rooms: rooms.join(", ") + (stats.skippedRooms.size > 20 ? ", …" : ""),
    });
  }
  if (stats.splitNotes.length) {
    log.warn("export split fallback", { project: projectId, notes: stats.splitNotes.join(" ") });
  }
  if (!completed) {
    log.info("export stopped before the end", { project: projectId, format: q.format, pages: stats.pages });
  }
}

function* countRecords(records: Reading<ExportRecord>, stats: ExportStats): Generator<ExportRecord | Read> {
  let last = -1;
  for (const r of records) {
    if (r instanceof Read) {
      yield r;
      continue;
    }
    if (r.document.id !== last) stats.work++;
    last = r.document.id;
    stats.records++;
    stats.spans += r.spans.length;
    stats.relations += r.relations.length;
    yield r;
  }
}

/**
 * Joins small pieces (text or bytes) into chunks of about CHUNK bytes, encoding text as UTF-8 (the reads
 * between them go up as they come).
 */
function* coalesce(pieces: Reading<string | Uint8Array>): Generator<Uint8Array | Read> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let text = "";
  const flushText = () => {
    if (!text) return;
    const b = Buffer.from(text, "utf8");
    parts.push(b);
    size += b.length;
    text = "";
  };
  const take = () => {
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    return out;
  };
  for (const p of pieces) {
    if (p instanceof Read) {
      yield p;
      continue;
    }
    if (typeof p === "string") {
      text += p;
      if (text.length >= CHUNK) flushText();
    } else {
      flushText();
      parts.push(p);
      size += p.length;
    }
    if (size >= CHUNK) yield take();
  }
  flushText();
  if (size) yield take();
}

/**
 * A zip entry compressed by Node's native zlib (several times faster than fflate's JavaScript deflate on
 * the large Hugging Face files): each pushed chunk is deflated on its own and sync-flushed, the last one
 * finished — concatenated, that is one valid raw DEFLATE stream. fflate's Zip writes the headers.
 */
class NativeDeflateEntry implements ZipInputFile {
  size = 0;
  crc = 0;
  readonly compression = 8;
  ondata: AsyncFlateStreamHandler = () => {};
  constructor(readonly filename: string) {}
  push(chunk: Uint8Array, final = false): void {
    this.size += chunk.length;
    this.crc = zlib.crc32(chunk, this.crc);
    const flush = final ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
    this.ondata(null, zlib.deflateRawSync(chunk, { level: 1, finishFlush: flush }), final);
  }
}

/** A zip written entry after entry (fflate's streaming Zip); nothing is held but the current chunk. */
function* zipStream(entries: Reading<ReadingEntry>): Generator<Uint8Array | Read> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else out.push(data);
  });
  const drain = function* () {
    if (failure) throw failure;
    yield* out.splice(0);
  };
  for (const entry of entries) {
    if (entry instanceof Read) {
      yield entry;
      continue;
    }
    const file = new NativeDeflateEntry(entry.name);
    zip.add(file);
    let text = "";
    for (const piece of entry.content) {
      if (piece instanceof Read) {
        yield piece;
        continue;
      }
      text += piece;
      if (text.length >= CHUNK) {
        file.push(Buffer.from(text, "utf8"));
        text = "";
        yield* drain();
      }
    }
    file.push(Buffer.from(text, "utf8"), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}

type Counter = (records: Reading<ExportRecord>) => Reading<ExportRecord>;

/** brat: annotation.conf, then `<id>-<name>.txt` and `.ann` per record (in `<layer>/` for layer=all). */
function* bratEntries(
  src: ExportSource,
  ctx: ExportContext,
  layer: string,
  stats: ExportStats,
  counted: Counter,
): Generator<ReadingEntry | Read> {
  yield { name: "annotation.conf", content: [bratConf(ctx)] };
  const dropped = { count: 0 };
  for (const r of counted(src.records())) {
    if (r instanceof Read) {
      yield r;
      continue;
    }
    const base = `${layer === "all" ? `${r.layer}/` : ""}${bratBaseName(r)}`;
    yield { name: `${base}.txt`, content: [r.document.text] };
    yield { name: `${base}.ann`, content: [bratAnn(r, ctx, dropped, stats.skipped)] };
  }
  stats.drops.noToken += dropped.count; // spans covering only line breaks: nothing brat can show
}

/**
 * Hugging Face: per config (one, or one per label with `per-label`) and split, a JSONL file; README.md
 * (the dataset card, with the dropped-span counts) last, once they are known.
 */
function* hfEntries(
  src: ExportSource,
  ctx: ExportContext,
  q: ExportQuery,
  stats: ExportStats,
  counted: Counter,
  now: Date,
  log?: Logger,
): Generator<ReadingEntry | Read> {
  const ids = yield* read(src.documentIds());
  const byId = (a: number, b: number) => a - b;
  const ratioOf = (s: number) => q.split[s] ?? 0;
  const wanted = SPLIT_NAMES.filter((_, s) => ratioOf(s) > 0);
  const documents = { train: 0, validation: 0, test: 0 } as Record<SplitName, number>;
  const members: number[][] = [[], [], []];
  let split = splitIdsAtLeastOne(ids, q.split, q.seed, byId);
  /** Sentence fallback: example key `<document>:<sentence>` → split. */
  let bySentence: Map<string, number> | null = null;
  const sentences = { train: 0, validation: 0, test: 0 } as Record<SplitName, number>;
  const names = (xs: number[]) => xs.map((s) => SPLIT_NAMES[s]).join(", ");
  if (split.empty.length && q.granularity === "sentence" && ids.length > 0) {
    // too few documents for every split: split the sentences instead, at least one per wanted split
    const keys: string[] = [];
    for (const d of src.texts(ids)) {
      if (d instanceof Read) {
        yield d;
        continue;
      }
      for (const n of hfSentenceNumbers(d.text)) keys.push(`${d.id}:${n}`);
    }
    const bySentenceSplit = splitIdsAtLeastOne(keys, q.split, q.seed, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    stats.splitNotes.push(
      `${ids.length} document(s) cannot fill the ${wanted.length} splits with a ratio above 0 (${names(split.empty)} would be empty), so the ${keys.length} sentences were split instead of the documents.`,
    );
    bySentence = bySentenceSplit.assignment;
    if (bySentenceSplit.empty.length)
      stats.splitNotes.push(
        `Still empty: ${names(bySentenceSplit.empty)} (only ${keys.length} sentence(s) with tokens).`,
      );
    const docsIn = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (const [k, s] of bySentence) {
      sentences[SPLIT_NAMES[s]!]++;
      docsIn[s]!.add(Number(k.slice(0, k.indexOf(":"))));
    }
    SPLIT_NAMES.forEach((name, s) => {
      documents[name] = docsIn[s]!.size;
      members[s] = [...docsIn[s]!].sort(byId);
    });
    split = { ...split, empty: bySentenceSplit.empty };
  } else {
    for (const id of ids) {
      const s = split.assignment.get(id)!;
      members[s]!.push(id);
      documents[SPLIT_NAMES[s]!]++;
    }
    if (split.adjusted)
      stats.splitNotes.push(
        "the ratios left a split with a ratio above 0 without documents, so it took one document from the largest split.",
      );
    if (split.empty.length)
      stats.splitNotes.push(
        `${names(split.empty)} is empty: ${ids.length} document(s) cannot fill ${wanted.length} splits${q.granularity === "document" ? " (one example per document; use granularity=sentence to split sentences)" : ""}.`,
      );
  }
  if (stats.splitNotes.length)
    log?.warn("export: Hugging Face split fallback", { notes: stats.splitNotes.join(" ") });
  const perLabel = q.overlap === "per-label";
  const configs: HfConfig[] = perLabel
    ? ctx.labels.map((l, i) => ({
        name: l,
        dir: `${String(i + 1).padStart(2, "0")}-${l.replace(/[^\p{L}\p{N}._-]+/gu, "_")}/`,
        labels: [l],
        examples: { train: 0, validation: 0, test: 0 },
      }))
    : [{ name: "default", dir: "", labels: ctx.labels, examples: { train: 0, validation: 0, test: 0 } }];
  const policy = q.overlap === "keep-first" ? "keep-first" : "keep-longest";
  for (const c of configs) {
    for (const [s, split] of SPLIT_NAMES.entries()) {
      const keep = bySentence
        ? (doc: number) => (n: number) => bySentence.get(`${doc}:${n}`) === s
        : () => undefined;
      const content = function* () {
        for (const r of counted(src.records(members[s]))) {
          if (r instanceof Read) {
            yield r;
            continue;
          }
          const lines = hfLines(
            r,
            { labels: c.labels, policy, granularity: q.granularity, keep: keep(r.document.id) },
            stats.drops,
            stats.skipped,
          );
          c.examples[split] += lines.length;
          yield* lines;
        }
      };
      yield { name: `${c.dir}${split}.jsonl`, content: content() };
    }
  }
  const card = () =>
    hfCard({
      project: ctx.project.name,
      layer: q.layer,
      offsets: q.offsets,
      policy: q.overlap,
      granularity: q.granularity,
      seed: q.seed,
      ratios: q.split,
      documents,
      configs,
      drops: stats.drops,
      exportedAt: now.toISOString(),
      splitBy: bySentence ? "sentence" : "document",
      sentences,
      splitNotes: stats.splitNotes,
      skipped: stats.skipped,
      uncuratedExcluded: stats.uncuratedExcluded,
    });
  yield {
    name: "README.md",
    content: {
      *[Symbol.iterator]() {
        yield card();
      },
    },
  };
}
