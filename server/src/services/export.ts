/**
 * Streaming export: reads the projection tables (never the Yjs store) page by page and turns them into
 * format bytes through the shared codecs. The same job serves `GET /api/projects/:id/export`, `gloss
 * export` and the benchmark.
 *
 * Why pages and not one open `.iterate()` cursor for the whole export: the HTTP response is written at the
 * client's pace, and while a better-sqlite3 iterator is open the connection refuses every write ("This
 * database connection is busy executing a query") — the collaboration server's persistence would fail.
 * Each page (PAGE documents, then their spans and relations by merged ordered queries) is read in one
 * synchronous step, so no cursor outlives a chunk and memory stays bounded by one page.
 */

import zlib from "node:zlib";
import {
  addDrops,
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
  SPLIT_NAMES,
  type SplitName,
  splitIds,
} from "@gloss/shared";
import { type AsyncFlateStreamHandler, Zip, type ZipInputFile } from "fflate";
import type { Db } from "../db/client";
import { badRequest, notFound } from "../errors";
import { type ExportSource, openSource } from "./exportSource";

export interface ExportStats {
  /** Documents read so far (every pass). */
  work: number;
  /** Documents × passes this export will read (Hugging Face reads each split, per label config, once). */
  totalWork: number;
  records: number;
  spans: number;
  relations: number;
  drops: DropCounts;
}

/** One file of a zip export: its path and its text, piece by piece. */
export interface ZipEntry {
  name: string;
  content: Iterable<string>;
}

export interface ExportJob {
  filename: string;
  contentType: string;
  stats: ExportStats;
  /** The export's bytes, chunk by chunk (about 64 KiB each); pulled at the consumer's pace. */
  chunks(): Generator<Uint8Array>;
  /** Zip formats: the files one by one, for writing a directory instead of a zip (`gloss export --out dir/`). */
  entries?: () => Iterable<ZipEntry>;
}

const CHUNK = 64 * 1024;

/** Plans an export of a project (404 when it does not exist, 400 for unknown label names in the filter). */
export function createExport(db: Db, projectId: number, q: ExportQuery, now = new Date()): ExportJob {
  const src = openSource(db, projectId, q);
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
  };
  const slug = (s: string) =>
    s
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "project";
  const filename = `${slug(src.projectName)}-${q.layer}-${q.format}.${info.extension}`;
  const counted = (records: Iterable<ExportRecord>) => countRecords(records, stats);

  let body: () => Generator<string | Uint8Array>;
  let entries: (() => Iterable<ZipEntry>) | undefined;
  if (q.format === "brat") {
    stats.totalWork = src.count();
    entries = () => bratEntries(src, ctx, q.layer, stats, counted);
  } else if (q.format === "huggingface") {
    entries = () => hfEntries(src, ctx, q, stats, counted, now);
    const configs = q.overlap === "per-label" ? ctx.labels.length : 1;
    stats.totalWork = src.count() * configs;
  }
  if (entries) {
    const zipped = entries;
    body = () => zipStream(zipped());
  } else {
    stats.totalWork = src.count();
    const policy = q.overlap === "keep-first" ? "keep-first" : "keep-longest";
    const writer = createTextWriter(q.format, { ...ctx, policy, layer: q.layer });
    body = function* () {
      yield writer.begin();
      for (const r of counted(src.records())) yield writer.write(r);
      yield writer.end();
      addDrops(stats.drops, writer.drops);
    };
  }
  return { filename, contentType: info.contentType, stats, chunks: () => coalesce(body()), entries };
}

function* countRecords(records: Iterable<ExportRecord>, stats: ExportStats): Generator<ExportRecord> {
  let last = -1;
  for (const r of records) {
    if (r.document.id !== last) stats.work++;
    last = r.document.id;
    stats.records++;
    stats.spans += r.spans.length;
    stats.relations += r.relations.length;
    yield r;
  }
}

/** Joins small pieces (text or bytes) into chunks of about CHUNK bytes, encoding text as UTF-8. */
function* coalesce(pieces: Iterable<string | Uint8Array>): Generator<Uint8Array> {
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
function* zipStream(entries: Iterable<ZipEntry>): Generator<Uint8Array> {
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
    const file = new NativeDeflateEntry(entry.name);
    zip.add(file);
    let text = "";
    for (const piece of entry.content) {
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

type Counter = (records: Iterable<ExportRecord>) => Iterable<ExportRecord>;

/** brat: annotation.conf, then `<id>-<name>.txt` and `.ann` per record (in `<layer>/` for layer=all). */
function* bratEntries(
  src: ExportSource,
  ctx: ExportContext,
  layer: string,
  stats: ExportStats,
  counted: Counter,
): Generator<ZipEntry> {
  yield { name: "annotation.conf", content: [bratConf(ctx)] };
  const dropped = { count: 0 };
  for (const r of counted(src.records())) {
    const base = `${layer === "all" ? `${r.layer}/` : ""}${bratBaseName(r)}`;
    yield { name: `${base}.txt`, content: [r.document.text] };
    yield { name: `${base}.ann`, content: [bratAnn(r, ctx, dropped)] };
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
): Generator<ZipEntry> {
  const ids = src.documentIds();
  const assignment = splitIds(ids, q.split, q.seed);
  const documents = { train: 0, validation: 0, test: 0 } as Record<SplitName, number>;
  const members: number[][] = [[], [], []];
  for (const id of ids) {
    const s = assignment.get(id)!;
    members[s]!.push(id);
    documents[SPLIT_NAMES[s]!]++;
  }
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
      const content = function* () {
        for (const r of counted(src.records(members[s]))) {
          const lines = hfLines(r, { labels: c.labels, policy, granularity: q.granularity }, stats.drops);
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
