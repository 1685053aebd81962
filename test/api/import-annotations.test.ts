/**
 * POST /api/projects/:id/annotations/import over a real server: all or nothing — every broken input gives
 * its precise error (with file, line or record) and stores nothing — and clean files exported by Gloss
 * (Label Studio, doccano, brat, W3C, Gloss JSONL) import back into a live layer unchanged.
 */
import { annotations, labels } from "@gloss/server/db/schema";
import { readZip, writeZip } from "@gloss/server/services/importAnnotations";
import { type LayerName, listRelations, listSpans, OffsetMap } from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { seedWorld, type World } from "../fixtures/formats/world";
import { useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import type { SeededUser } from "../helpers/seed";

const ctx = useServer();
let w: World;
beforeEach(() => {
  w = seedWorld(ctx.server.db);
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
const exportBytes = async (qs: string) =>
  new Uint8Array(
    await (await as(w.manager).request("GET", `/api/projects/${w.project.id}/export?${qs}`)).arrayBuffer(),
  );
const exportText = async (qs: string) => new TextDecoder().decode(await exportBytes(qs));
const userLayer = (u: SeededUser): LayerName => `user-${u.id}`;

/** Nothing of `layer` reached the projection or the Yjs update log. */
async function expectNothingStored(layer: string) {
  await ctx.server.deps.collab.flush();
  const rows = ctx.server.db.select().from(annotations).where(eq(annotations.layer, layer)).all();
  expect(rows).toEqual([]);
  const updates = ctx.server.db.$client
    .prepare("SELECT COUNT(*) AS n FROM yjs_updates WHERE room LIKE ?")
    .get(`doc/%/${layer}`) as { n: number };
  expect(updates.n).toBe(0);
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
    const rumour = ctx.server.db
      .select()
      .from(labels)
      .where(and(eq(labels.projectId, w.project.id), eq(labels.name, "rumour")))
      .get();
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
