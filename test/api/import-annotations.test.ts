/**
 * POST /api/projects/:id/annotations/import over a real server: all or nothing — every broken input gives
 * its precise error (with file, line or record) and stores nothing — and clean files exported by Gloss
 * (Label Studio, doccano, brat, W3C, Gloss JSONL) import back into a live layer unchanged.
 */
import { all, call, get, type Store } from "@gloss/server/db/store";
import { readZip, SPANS_PER_BATCH, writeZip } from "@gloss/server/services/importAnnotations";
import { DEFAULT_RELATION_TYPES, type LayerName, listRelations, listSpans, OffsetMap } from "@gloss/shared";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { type CollabClient, connectClient } from "../helpers/collab";
import { useServer } from "../helpers/factories";
import { ApiClient, postChunked } from "../helpers/http";
import { addDocument, type SeededUser } from "../helpers/seed";
import { sqlRow } from "../helpers/sql";
import type { World } from "../helpers/world";
import { addWorld } from "../helpers/world";

const ctx = useServer();
let w: World;
beforeEach(async () => {
  w = await addWorld(ctx.server.store);
});

/** The projection rows of a layer (and of one document of it, when given), in key order. */
const projectedRows = (store: Store, layer: string, documentId?: number) =>
  call(store, function* (s) {
    const { annotations } = s.t;
    const where: SQL =
      documentId === undefined
        ? eq(annotations.layer, layer)
        : and(eq(annotations.documentId, documentId), eq(annotations.layer, layer))!;
    return yield* all(
      s.q.select().from(annotations).where(where).orderBy(annotations.documentId, annotations.spanId),
    );
  });

const as = (u: SeededUser) => {
  const c = new ApiClient(ctx.server.url);
  c.cookie = u.cookie;
  return c;
};
const importUrl = (qs: string) => `/api/projects/${w.project.id}/annotations/import?${qs}`;
const post = (qs: string, body: string | Uint8Array | FormData, u: SeededUser = w.manager) =>
  as(u).request(
    "POST",
    importUrl(qs),
    body,
    typeof body === "string" ? { "content-type": "application/json" } : {},
  );
/** An export (gold ones with every document, curated or not, as the round trips below need). */
const exportBytes = async (qs: string) =>
  new Uint8Array(
    await (
      await as(w.manager).request("GET", `/api/projects/${w.project.id}/export?${qs}&includeUncurated=true`)
    ).arrayBuffer(),
  );
const exportText = async (qs: string) => new TextDecoder().decode(await exportBytes(qs));
const userLayer = (u: SeededUser): LayerName => `user-${u.id}`;

/** Nothing of `layer` reached the projection or the Yjs update log. */
async function expectNothingStored(layer: string) {
  await ctx.server.deps.collab.flush();
  expect(await projectedRows(ctx.server.store, layer)).toEqual([]);
  const updates = await sqlRow<{ n: number }>(
    ctx.server.store,
    sql`select cast(count(*) as integer) as n from yjs_updates where room like ${`doc/%/${layer}`}`,
  );
  expect(updates!.n).toBe(0);
}

async function expectError(res: Response, code: string) {
  expect(res.status).toBe(422);
  const body = await res.json();
  expect(body.error.code).toBe("invalid_annotations");
  expect(body.error.details.errors[0].code).toBe(code);
  return body.error as {
    message: string;
    details: { errors: Array<{ code: string; message: string }>; total: number; unknownLabels?: string[] };
  };
}

/** The gold spans of a document as (start, end, label, note) in UTF-16. */
const goldOf = (i: number) => w.docs[i]!.spans.map((s) => [s.start, s.end, s.label, s.note ?? null]);

/** The live layer's spans of document i as (start, end, label name, note). */
async function liveSpans(i: number, layer: LayerName) {
  const names = new Map(w.project.labels.map((l) => [l.id, l.name]));
  return ctx.server.deps.collab.withDoc(w.docs[i]!.id, layer, (doc) =>
    listSpans(doc).map((s) => [s.start, s.end, names.get(s.label), s.note ?? null]),
  );
}

describe("who may import", () => {
  it("annotators get 403, curators only into gold, non-members 404, a layer of a non-member 400", async () => {
    const line = `${JSON.stringify({ text: w.docs[0]!.text, label: [] })}\n`;
    expect((await post(`format=doccano&layer=${userLayer(w.annotator)}`, line, w.annotator)).status).toBe(
      403,
    );
    expect((await post("format=doccano&layer=gold", line, w.annotator)).status).toBe(403);
    expect((await post(`format=doccano&layer=${userLayer(w.annotator)}`, line, w.curator)).status).toBe(403);
    expect((await post("format=doccano&layer=gold", line, w.outsider)).status).toBe(404);
    const stranger = await post(`format=doccano&layer=${userLayer(w.outsider)}`, line);
    expect(stranger.status).toBe(400);
    expect((await stranger.json()).error.message).toBe(
      `layer user-${w.outsider.id}: user ${w.outsider.id} is not a member of the project`,
    );
    expect((await post("format=excel&layer=gold", line)).status).toBe(400);
  });
});

describe("all or nothing: each broken input gives its precise error and stores nothing", () => {
  const astral = () => w.docs[0]!; // "Hi 😀 there, …": code points and UTF-16 differ after the emoji

  it("offsets that do not match the covered text", async () => {
    const d = astral();
    const cp = new OffsetMap(d.text);
    const s = d.text.indexOf("minister");
    const task = {
      data: { text: d.text },
      annotations: [
        {
          result: [
            {
              id: "a",
              type: "labels",
              from_name: "label",
              to_name: "text",
              value: {
                start: cp.toCodePoint(s),
                end: cp.toCodePoint(s) + 8,
                text: "ministry",
                labels: ["claim"],
              },
            },
          ],
        },
      ],
    };
    const err = await expectError(
      await post(`format=labelstudio&layer=${userLayer(w.annotator)}`, JSON.stringify([task])),
      "offset_mismatch",
    );
    expect(err.details.errors[0]!.message).toBe(
      `record 1, field annotations[0].result[0]: offsets ${cp.toCodePoint(s)}–${cp.toCodePoint(s) + 8} (Unicode code points) cut "minister", not the covered text "ministry" (nor as the other offset unit)`,
    );
    await expectNothingStored(userLayer(w.annotator));
  });

  it("a UTF-16 file declared as code points", async () => {
    const d = astral();
    const s = d.text.indexOf("there"); // UTF-16 offset, one more than the code point offset
    const line = {
      id: d.id,
      text: d.text,
      offsets: "codepoint",
      spans: [{ start: s, end: s + 5, label: "claim", text: "there" }],
    };
    const good = {
      id: w.docs[2]!.id,
      text: w.docs[2]!.text,
      spans: [{ start: 0, end: 4, label: "claim", text: "Cafe" }],
    };
    const body = `${JSON.stringify(good)}\n${JSON.stringify(line)}\n`;
    const err = await expectError(
      await post(`format=gloss&layer=${userLayer(w.annotator)}`, body),
      "unit_mismatch",
    );
    expect(err.details.errors[0]!.message).toBe(
      "line 2, field spans[0]: the offsets match the covered text only as UTF-16 code units, but the file is declared as Unicode code points",
    );
    expect(err.details.total).toBe(1);
    await expectNothingStored(userLayer(w.annotator)); // not even the good first line
    // the same when the request, not the file, declares code points
    const declared = await post(
      `format=gloss&layer=${userLayer(w.annotator)}&offsets=codepoint`,
      JSON.stringify({ ...line, offsets: undefined }),
    );
    expect((await expectError(declared, "unit_mismatch")).details.errors[0]!.message).toMatch(
      /^line 1, field spans\[0\]: the offsets match/,
    );
  });

  it("an unknown document", async () => {
    const body = `${JSON.stringify({ text: w.docs[1]!.text, label: [] })}\n${JSON.stringify({ text: "A text this project never had.", label: [[0, 1, "claim"]] })}\n`;
    const err = await expectError(
      await post(`format=doccano&layer=${userLayer(w.annotator)}`, body),
      "unknown_document",
    );
    expect(err.details.errors[0]!.message).toBe(
      'line 2: no document of the project matches its text ("A text this project neve…")',
    );
    await expectNothingStored(userLayer(w.annotator));
  });

  it("unknown labels, listed", async () => {
    const d = w.docs[2]!;
    const body = `${JSON.stringify({
      text: d.text,
      label: [
        [0, 4, "rumour"],
        [5, 11, "claim"],
        [12, 17, "hedge"],
        [0, 4, "rumour"],
      ],
    })}\n`;
    const err = await expectError(
      await post(`format=doccano&layer=${userLayer(w.annotator)}`, body),
      "unknown_label",
    );
    expect(err.message).toBe(
      "Unknown labels: rumour, hedge (create them with createLabels=true). Nothing was imported.",
    );
    expect(err.details.unknownLabels).toEqual(["rumour", "hedge"]);
    expect(err.details.errors.map((e) => e.message)).toEqual([
      'line 1, field label[0]: unknown label "rumour"',
      'line 1, field label[2]: unknown label "hedge"',
    ]);
    await expectNothingStored(userLayer(w.annotator));
  });

  it("a broken line", async () => {
    const d = w.docs[2]!;
    const body = `${JSON.stringify({ text: d.text, label: [[0, 4, "claim"]] })}\n{"text": "broken", "label": [[0, 1, "claim"]\n`;
    const err = await expectError(
      await post(`format=doccano&layer=${userLayer(w.annotator)}`, body),
      "parse_error",
    );
    expect(err.details.errors[0]!.message).toMatch(/^line 2: not valid JSON \(/);
    await expectNothingStored(userLayer(w.annotator));
  });

  it("a brat .ann line that does not parse, named with its file", async () => {
    const files = readZip(await exportBytes("format=brat"));
    const ann = [...files.keys()].find((f) => f.endsWith(".ann"))!;
    files.set(ann, new TextEncoder().encode("T1\tclaim 0 x\tHi\n"));
    const err = await expectError(
      await post(`format=brat&layer=${userLayer(w.annotator)}`, writeZip(files)),
      "parse_error",
    );
    expect(err.details.errors[0]!.message).toBe(`${ann} line 1: malformed text-bound annotation (T) line`);
    await expectNothingStored(userLayer(w.annotator));
  });
});

describe("clean files import into the live layer", () => {
  it("a Label Studio export imports back unchanged (spans, notes, relations), and again adds nothing", async () => {
    const layer = userLayer(w.annotator);
    const file = await exportText("format=labelstudio");
    const res = await post(`format=labelstudio&layer=${layer}`, file);
    expect(res.status).toBe(200);
    const total = w.docs.reduce((n, d) => n + d.spans.length, 0);
    const rels = w.docs.reduce((n, d) => n + d.relations.length, 0);
    expect(await res.json()).toEqual({
      documents: w.docs.length,
      spans: total,
      relations: rels,
      skipped: 0,
      createdLabels: [],
    });
    for (let i = 0; i < w.docs.length; i++) expect(await liveSpans(i, layer)).toEqual(goldOf(i));
    const again = await (await post(`format=labelstudio&layer=${layer}`, file)).json();
    expect(again).toMatchObject({ spans: 0, relations: 0, skipped: total + rels });
    await ctx.server.deps.collab.flush();
    const back = (await exportText(`format=gloss&layer=${layer}`))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const gold = (await exportText("format=gloss"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const strip = (l: { spans: Array<Record<string, unknown>>; relations: unknown[] }) => ({
      spans: l.spans.map((s) => [s.start, s.end, s.label, s.text, s.note]),
      relations: l.relations.length,
    });
    expect(back.map(strip)).toEqual(gold.map(strip));
  });

  it("a doccano relation export imports back unchanged", async () => {
    const layer = userLayer(w.annotator2);
    const res = await post(`format=doccano&layer=${layer}`, await exportText("format=doccano-relations"));
    expect(res.status).toBe(200);
    for (let i = 0; i < w.docs.length; i++) {
      expect(await liveSpans(i, layer)).toEqual(goldOf(i).map(([a, b, l]) => [a, b, l, null]));
    }
    const rels = await ctx.server.deps.collab.withDoc(
      w.docs[0]!.id,
      layer,
      (doc) => listRelations(doc).length,
    );
    expect(rels).toBe(w.docs[0]!.relations.length);
  });

  it("a brat zip (multipart upload), a W3C page and a Gloss JSONL file import back", async () => {
    const form = new FormData();
    form.append("file", new Blob([await exportBytes("format=brat")]), "gold-brat.zip");
    const brat = await post(`format=brat&layer=${userLayer(w.annotator3)}`, form);
    expect(brat.status).toBe(200);
    const flat = (n: string | null) => (n === null ? null : n.replace(/\r\n|\r|\n/g, " "));
    for (let i = 0; i < w.docs.length; i++) {
      expect(await liveSpans(i, userLayer(w.annotator3))).toEqual(
        goldOf(i).map(([a, b, l, n]) => [a, b, l, flat(n as string | null)]),
      );
    }
    const w3c = await post("format=w3c&layer=shared", await exportText("format=w3c"));
    expect(w3c.status).toBe(200);
    for (let i = 0; i < w.docs.length; i++) expect(await liveSpans(i, "shared")).toEqual(goldOf(i));
    const gloss = await post(
      `format=gloss&layer=${userLayer(w.annotator)}`,
      await exportText("format=gloss&offsets=utf16"),
    );
    expect(gloss.status).toBe(200);
    for (let i = 0; i < w.docs.length; i++)
      expect(await liveSpans(i, userLayer(w.annotator))).toEqual(goldOf(i));
  });

  it("creates missing labels on request, and keeps Label Studio prediction scores", async () => {
    const layer = userLayer(w.annotator);
    const d = w.docs[2]!; // NFD text, BMP only
    const created = await post(
      `format=doccano&layer=${layer}&createLabels=true`,
      `${JSON.stringify({ text: d.text, label: [[0, 5, "rumour"]] })}\n`,
    );
    expect(await created.json()).toMatchObject({ spans: 1, createdLabels: ["rumour"] });
    const rumour = await call(ctx.server.store, function* (s) {
      const { labels } = s.t;
      return yield* get(
        s.q
          .select()
          .from(labels)
          .where(and(eq(labels.projectId, w.project.id), eq(labels.name, "rumour"))),
      );
    });
    expect(rumour).toBeDefined();
    const task = {
      data: { text: d.text },
      predictions: [
        {
          model_version: "m",
          score: 0.5,
          result: [
            {
              id: "p",
              type: "labels",
              value: { start: 7, end: 14, text: d.text.slice(7, 14), labels: ["claim"] },
              score: 0.87,
            },
          ],
        },
      ],
    };
    expect((await post(`format=labelstudio&layer=${layer}`, JSON.stringify([task]))).status).toBe(200);
    const scores = await ctx.server.deps.collab.withDoc(d.id, layer, (doc) =>
      listSpans(doc).map((s) => [s.label, s.score ?? null]),
    );
    expect(scores).toEqual([
      [rumour!.id, null],
      [w.labelId("claim"), 0.87],
    ]);
  });

  it("a curator imports into gold, with import provenance", async () => {
    const d = w.docs[2]!;
    const res = await post(
      "format=doccano&layer=gold",
      `${JSON.stringify({ text: d.text, label: [[0, 5, "claim"]] })}\n`,
      w.curator,
    );
    expect(res.status).toBe(200);
    const spans = await ctx.server.deps.collab.withDoc(d.id, "gold", (doc) => listSpans(doc));
    expect(spans[0]).toMatchObject({
      start: 0,
      end: 5,
      label: w.labelId("claim"),
      author: w.curator.id,
      provenance: { via: "import", decidedBy: w.curator.id },
    });
  });
});

describe("limits: bounded while the body streams and while a zip inflates (413, nothing stored)", () => {
  const MiB = 1024 * 1024;
  const limited = useServer({
    config: { maxAnnotationImportBytes: 16 * MiB, maxUnzippedBytes: 4 * MiB, maxZipEntries: 50 },
  });
  let lw: World;
  beforeEach(async () => {
    lw = await addWorld(limited.server.store);
  });
  const layer = () => userLayer(lw.annotator);
  const url = (format: string) =>
    `${limited.server.url}/api/projects/${lw.project.id}/annotations/import?format=${format}&layer=${layer()}`;
  const headers = (contentType: string) => ({
    cookie: lw.manager.cookie,
    origin: limited.server.url,
    "content-type": contentType,
  });

  async function expectTooLarge(res: Response, setting: string) {
    const text = await res.text();
    expect(res.status, text).toBe(413);
    const error = JSON.parse(text).error as { code: string; message: string };
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toContain(setting);
    return error;
  }
  async function nothingStored() {
    await limited.server.deps.collab.flush();
    expect(await projectedRows(limited.server.store, layer())).toEqual([]);
  }

  it("a chunked body (no Content-Length) far over the limit is refused after ~the limit: 413, memory flat, server up", async () => {
    const piece = new TextEncoder().encode(`${JSON.stringify({ text: "x".repeat(65_000), label: [] })}\n`);
    /** POSTs `total` bytes as a stream (fetch sends it chunked); returns the response and the bytes pulled. */
    const send = (total: number) =>
      postChunked(url("doccano"), headers("application/json"), total, () => piece);
    // a first refusal warms the code paths up, so the measure below sees the body, not the JIT
    await expectTooLarge((await send(17 * MiB)).res, "GLOSS_MAX_ANNOTATION_IMPORT_BYTES");
    const total = 256 * MiB;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 2);
    let sent = total;
    try {
      const big = await send(total);
      sent = big.sent;
      peak = Math.max(peak, process.memoryUsage().rss);
      const error = await expectTooLarge(big.res, "GLOSS_MAX_ANNOTATION_IMPORT_BYTES");
      expect(error.message).toContain("16 MiB");
    } finally {
      clearInterval(sampler);
    }
    // the old reader buffered the whole body before looking at its size; this one holds at most the
    // limit (plus what the sockets buffer), and the connection is cut soon after the limit
    expect(peak - before).toBeLessThan(2 * 16 * MiB);
    expect(sent).toBeLessThan(4 * 16 * MiB);
    await nothingStored();
    expect((await fetch(`${limited.server.url}/api/health`)).status).toBe(200);
  });

  it("a multipart upload over the limit is refused while it streams; at the limit it still imports", async () => {
    const big = new FormData();
    big.append("file", new Blob([new Uint8Array(17 * MiB).fill(0x20)]), "big.jsonl");
    const encoded = new Response(big);
    const contentType = encoded.headers.get("content-type")!;
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const { res } = await postChunked(url("doccano"), headers(contentType), bytes.length, (i) =>
      bytes.subarray(i * 64 * 1024, (i + 1) * 64 * 1024),
    );
    const error = await expectTooLarge(res, "GLOSS_MAX_ANNOTATION_IMPORT_BYTES");
    expect(error.message).toContain("big.jsonl");
    await nothingStored();
    const ok = new FormData();
    const line = `${JSON.stringify({ text: lw.docs[0]!.text, label: [] })}\n`;
    ok.append("file", new Blob([line]), "small.jsonl");
    const fine = await fetch(url("doccano"), {
      method: "POST",
      headers: { cookie: lw.manager.cookie, origin: limited.server.url },
      body: ok,
    });
    expect(fine.status, await fine.clone().text()).toBe(200);
  });

  it("a zip bomb: one entry of 50 MB of zeros, honest or lying about its size, is refused while inflating", async () => {
    const zeros = new Uint8Array(50 * 1000 * 1000);
    const honest = writeZip(
      new Map([
        ["doc.txt", zeros],
        ["doc.ann", new Uint8Array(0)],
      ]),
    );
    expect(honest.length).toBeLessThan(1 * MiB);
    const r1 = await fetch(url("brat"), {
      method: "POST",
      headers: headers("application/zip"),
      body: new Uint8Array(honest),
    });
    const e1 = await expectTooLarge(r1, "GLOSS_MAX_UNZIPPED_BYTES");
    expect(e1.message).toContain("4 MiB");
    // the same zip declaring 1 byte for the entry (local header and central directory): only counting
    // the inflated bytes catches it
    const lying = Buffer.from(honest);
    for (let i = 0; i + 4 <= lying.length; i++) {
      const sig = lying.readUInt32LE(i);
      if (sig === 0x04034b50 && lying.toString("latin1", i + 30, i + 37) === "doc.txt")
        lying.writeUInt32LE(1, i + 22);
      if (sig === 0x02014b50 && lying.toString("latin1", i + 46, i + 53) === "doc.txt")
        lying.writeUInt32LE(1, i + 24);
    }
    const r2 = await fetch(url("brat"), {
      method: "POST",
      headers: headers("application/zip"),
      body: new Uint8Array(lying),
    });
    await expectTooLarge(r2, "GLOSS_MAX_UNZIPPED_BYTES");
    await nothingStored();
    expect((await fetch(`${limited.server.url}/api/health`)).status).toBe(200);
  });

  it("a zip with more entries than GLOSS_MAX_ZIP_ENTRIES is refused; nothing stored", async () => {
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 60; i++) files.set(`d${i}.ann`, new Uint8Array(0));
    const res = await fetch(url("brat"), {
      method: "POST",
      headers: headers("application/zip"),
      body: new Uint8Array(writeZip(files)),
    });
    const error = await expectTooLarge(res, "GLOSS_MAX_ZIP_ENTRIES");
    expect(error.message).toContain("50");
    await nothingStored();
  });
});

describe("a long import is written in batches", () => {
  /** A document of `n` words ("w0 w1 …") with an emoji after word `astralAfter`, and each word's UTF-16 range. */
  async function longDocument(n: number, astralAfter: number) {
    const words: Array<[number, number]> = [];
    let text = "";
    for (let i = 0; i < n; i++) {
      if (i === astralAfter) text += "😀 ";
      words.push([text.length, text.length + `w${i}`.length]);
      text += `w${i} `;
    }
    const doc = await addDocument(ctx.server.store, w.project.id, text, { name: `long-${n}` });
    return { id: doc.id, text, words };
  }
  const names = () => w.project.labels.map((l) => l.name);

  /**
   * `count` distinct spans (one to three words, a label each), in UTF-16 offsets; `utf16: false` gives
   * code points instead. Every 1000th is keyed, so relations can join spans of different batches.
   */
  function spansOver(d: Awaited<ReturnType<typeof longDocument>>, count: number, utf16: boolean) {
    const cp = new OffsetMap(d.text);
    const unit = (u: number) => (utf16 ? u : cp.toCodePoint(u));
    const labelNames = names();
    return Array.from({ length: count }, (_, i) => {
      const first = i % (d.words.length - 3);
      const width = Math.floor(i / (d.words.length - 3)) % 3;
      const label = labelNames[Math.floor(i / (3 * (d.words.length - 3))) % labelNames.length]!;
      const [start16] = d.words[first]!;
      const end16 = d.words[first + width]![1];
      return {
        ...(i % 1000 === 0 ? { id: `k${i}` } : {}),
        start: unit(start16),
        end: unit(end16),
        label,
        text: d.text.slice(start16, end16),
        start16,
        end16,
      };
    });
  }

  const layerSpans = async (docId: number, layer: LayerName) =>
    (
      await as(w.manager).get<{ spans: Array<{ start: number; end: number; labelName: string }> }>(
        `/api/documents/${docId}/layers/${layer}/spans?offsets=utf16`,
      )
    ).spans
      .map((s) => `${s.start}:${s.end}:${s.labelName}`)
      .sort();

  it("25,001 spans (one repeated) over several transactions: exactly the file's spans, relations across batches, the projection in step; again: all skipped", async () => {
    const d = await longDocument(12_000, 6_000);
    const spans = spansOver(d, 25_000, false);
    const relationType = DEFAULT_RELATION_TYPES[0]!;
    const line = {
      id: d.id,
      offsets: "codepoint",
      spans: [...spans.slice(0, 12_000), spans[17_001]!, ...spans.slice(12_000)].map(
        ({ start16: _a, end16: _b, ...s }) => s,
      ),
      relations: [
        { from: "k0", to: "k24000", type: relationType },
        { from: "k5000", to: "k10000", type: relationType },
      ],
    };
    const layer = userLayer(w.annotator);
    // the room held open meanwhile, counting the import's transactions as its listeners see them
    let transactions = 0;
    let release = () => {};
    let watching = () => {};
    const watched = new Promise<void>((resolve) => {
      watching = resolve;
    });
    const held = ctx.server.deps.collab.withDoc(
      d.id,
      layer,
      (doc) =>
        new Promise<void>((resolve) => {
          doc.on("update", (_u: Uint8Array, origin: unknown) => {
            if (origin === "import") transactions++;
          });
          release = resolve;
          watching();
        }),
    );
    await watched;
    const res = await post(`format=gloss&layer=${layer}`, `${JSON.stringify(line)}\n`);
    release();
    await held;
    expect(res.status, await res.clone().text()).toBe(200);
    // 25,000 new spans at SPANS_PER_BATCH a transaction, then one for the relations
    expect(transactions).toBe(Math.ceil(25_001 / SPANS_PER_BATCH) + 1);
    expect(await res.json()).toEqual({
      documents: 1,
      spans: 25_000,
      relations: 2,
      skipped: 1,
      createdLabels: [],
    });

    const expected = spans.map((s) => `${s.start16}:${s.end16}:${s.label}`).sort();
    expect(await layerSpans(d.id, layer)).toEqual(expected);
    const relations = await ctx.server.deps.collab.withDoc(d.id, layer, (doc) => listRelations(doc));
    const keyed = await ctx.server.deps.collab.withDoc(
      d.id,
      layer,
      (doc) => new Map(listSpans(doc).map((s) => [`${s.start}:${s.end}`, s.id])),
    );
    const idOf = (i: number) => keyed.get(`${spans[i]!.start16}:${spans[i]!.end16}`);
    expect(relations.map((r) => [r.from, r.to]).sort()).toEqual(
      [
        [idOf(0), idOf(24_000)],
        [idOf(5_000), idOf(10_000)],
      ].sort(),
    );
    await ctx.server.deps.collab.flush();
    const projected = await projectedRows(ctx.server.store, layer, d.id);
    const labelName = new Map(w.project.labels.map((l) => [l.id, l.name]));
    expect(projected.map((r) => `${r.start}:${r.end}:${labelName.get(r.labelId)}`).sort()).toEqual(expected);

    const again = await post(`format=gloss&layer=${layer}`, `${JSON.stringify(line)}\n`);
    expect(await again.json()).toMatchObject({ spans: 0, relations: 0, skipped: 25_003 });
    expect(await layerSpans(d.id, layer)).toHaveLength(25_000);
  });

  it("into a layer nobody has open, the batches go to the store and the projection without loading it; an editor who opens it meanwhile gets every span once, and the rest live", async () => {
    const d = await longDocument(12_000, 6_000);
    const spans = spansOver(d, 25_000, false);
    const layer = userLayer(w.manager);
    const line = {
      id: d.id,
      offsets: "codepoint",
      spans: spans.map(({ start16: _a, end16: _b, ...s }) => s),
    };
    const collab = ctx.server.deps.collab;
    const roomsLoaded = () => collab.metrics().rooms;
    // watch the import from the test's side of the event loop (the server runs in this process): the
    // rooms loaded when its first batch is projected, and then an editor who opens the layer
    let roomsAtFirstBatch = -1;
    let editor: CollabClient | null = null;
    let liveTransactions = 0;
    const watch = setInterval(() => {
      if (editor) return;
      const rows = sqlRow<{ n: number }>(
        ctx.server.store,
        sql`SELECT count(*) AS n FROM annotations WHERE document_id = ${d.id} AND layer = ${layer}`,
      );
      void rows.then((r) => {
        if (editor || !r || Number(r.n) === 0) return;
        roomsAtFirstBatch = roomsLoaded();
        editor = connectClient(ctx.server, { documentId: d.id, layer, auth: { token: w.manager.token } });
        editor.doc.on("update", () => {
          liveTransactions++;
        });
      });
    }, 1);
    const res = await post(`format=gloss&layer=${layer}`, `${JSON.stringify(line)}\n`);
    clearInterval(watch);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ spans: 25_000, skipped: 0 });
    // the first batch was written with no room loaded (before: the import loaded the layer whole)
    expect(roomsAtFirstBatch).toBe(0);
    expect(editor, "the editor opened the layer during the import").not.toBeNull();
    const client = editor as unknown as CollabClient;
    try {
      await client.synced();
      const expected = spans.map((s) => `${s.start16}:${s.end16}:${s.label}`).sort();
      const names = new Map(w.project.labels.map((l) => [l.id, l.name]));
      const editorSees = () =>
        listSpans(client.doc)
          .map((s) => `${s.start}:${s.end}:${names.get(s.label)}`)
          .sort();
      await expect.poll(() => editorSees().length, { timeout: 10_000 }).toBe(25_000);
      expect(editorSees()).toEqual(expected);
      // the batches after the editor came reached it live, not only by its sync
      expect(liveTransactions).toBeGreaterThan(1);
      expect(await layerSpans(d.id, layer)).toEqual(expected);
      await collab.flush();
      const projected = await projectedRows(ctx.server.store, layer, d.id);
      expect(projected.map((r) => `${r.start}:${r.end}:${names.get(r.labelId)}`).sort()).toEqual(expected);
    } finally {
      client.destroy();
    }
  });

  it("a long line read a run of spans at a time still names the line and field of a problem past the first run, and stores nothing", async () => {
    const d = await longDocument(12_000, 6_000);
    const spans = spansOver(d, 21_000, false).map(({ start16: _a, end16: _b, ...s }) => s);
    const layer = userLayer(w.annotator);
    // line 1: a short record; line 2: the long one, an unknown label at span 20,500 (found while planning)
    const short = JSON.stringify({ id: d.id, offsets: "codepoint", spans: spans.slice(0, 2) });
    const bad = spans.map((s, i) => (i === 20_500 ? { ...s, label: "no such label" } : s));
    const long = (v: unknown[]) => JSON.stringify({ id: d.id, offsets: "codepoint", spans: v });
    let res = await post(`format=gloss&layer=${layer}`, `${short}\n${long(bad)}\n`);
    await expectError(res.clone(), "unknown_label");
    expect((await res.json()).error.details.errors).toEqual([
      expect.objectContaining({ line: 2, field: "spans[20500]", message: expect.stringContaining("line 2") }),
    ]);
    // a span without its end at 20,700 (found while parsing): the same message as a whole parse gives
    const broken = spans.map((s, i) => (i === 20_700 ? { start: s.start, label: s.label } : s));
    res = await post(`format=gloss&layer=${layer}`, `${short}\n${long(broken)}\n`);
    await expectError(res.clone(), "invalid_record");
    expect((await res.json()).error.details.errors).toEqual([
      expect.objectContaining({ line: 2, field: "spans[20700]", message: expect.stringContaining("line 2") }),
    ]);
    await expectNothingStored(layer);
  });

  it("an undeclared unit is decided over the whole document, not per batch: UTF-16 offsets after an emoji", async () => {
    // the first 20,000 spans end before the emoji (both units agree there); the last ones only fit as UTF-16
    const d = await longDocument(12_000, 11_990);
    const emoji = d.text.indexOf("😀");
    const all = spansOver(d, 21_000, true);
    const spans = [...all.filter((s) => s.end16 <= emoji), ...all.filter((s) => s.end16 > emoji)];
    expect(spans.findIndex((s) => s.end16 > emoji)).toBeGreaterThan(20_000);
    const line = { id: d.id, spans: spans.map(({ start16: _a, end16: _b, ...s }) => s) };
    const layer = userLayer(w.annotator2);
    const res = await post(`format=gloss&layer=${layer}`, `${JSON.stringify(line)}\n`);
    expect(res.status, await res.clone().text()).toBe(200);
    // each span taken once: what the first batches took was given back before the whole document was resolved
    expect(await res.json()).toEqual({
      documents: 1,
      spans: 21_000,
      relations: 0,
      skipped: 0,
      createdLabels: [],
    });
    expect(await layerSpans(d.id, layer)).toEqual(
      spans.map((s) => `${s.start16}:${s.end16}:${s.label}`).sort(),
    );
  });
});
