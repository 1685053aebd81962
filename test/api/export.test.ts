/**
 * GET /api/projects/:id/export over a real server: who may export, every format's bytes with offsets that
 * cut exactly the covered text (code points by default, as Python slices), layer choices, filters, the
 * Hugging Face split and dropped-span counts (card + HTTP trailers), and a stream that holds no database
 * cursor between chunks.
 */
import { call, run } from "@gloss/server/db/store";
import { readZip } from "@gloss/server/services/importAnnotations";
import { EXPORT_FORMATS, hfCardNames, readCsv, tagNames } from "@gloss/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { useServer } from "../helpers/factories";
import { ApiClient, getWithTrailers } from "../helpers/http";
import { addUser, type SeededUser } from "../helpers/seed";
import type { World } from "../helpers/world";
import { addLayer, addWorld, markAssignment, markCuration } from "../helpers/world";

/**
 * Each test runs twice: on an in-memory database the export is read on the main thread; on a database file
 * it is read in the worker thread (services/exportStream.ts), whose bytes must be the same. (On PostgreSQL
 * both read in the worker, which connects to the same database.)
 */
describe.each([
  { where: "main thread (in-memory database)", file: false },
  { where: "worker thread (database file)", file: true },
])("export read on the $where", ({ file }) => {
  const ctx = useServer({ file });
  let w: World;
  beforeEach(async () => {
    w = await addWorld(ctx.server.store);
    // a gold export holds curated documents only by default (see export-integrity.test.ts)
    for (const d of w.docs) await markCuration(ctx.server.store, d.id, "done");
  });

  const as = (u: SeededUser) => {
    const c = new ApiClient(ctx.server.url);
    c.cookie = u.cookie;
    return c;
  };
  const exportUrl = (qs: string) => `/api/projects/${w.project.id}/export?${qs}`;
  const fetchExport = (qs: string, u: SeededUser = w.manager) => as(u).request("GET", exportUrl(qs));
  const py = (text: string, a: number, b: number) => Array.from(text).slice(a, b).join("");
  const jsonl = (s: string) =>
    s
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const docById = (id: number) => w.docs.find((d) => d.id === id)!;
  const goldCovered = () => w.docs.map((d) => d.spans.map((s) => d.text.slice(s.start, s.end)));

  describe("who may export", () => {
    it("managers, curators and admins export; annotators get 403, non-members 404, anonymous 401", async () => {
      expect((await fetchExport("format=gloss", w.manager)).status).toBe(200);
      expect((await fetchExport("format=gloss", w.curator)).status).toBe(200);
      expect(
        (await fetchExport("format=gloss", await addUser(ctx.server.store, { admin: true }))).status,
      ).toBe(200);
      const annotator = await fetchExport("format=gloss", w.annotator);
      expect(annotator.status).toBe(403);
      expect((await annotator.json()).error.code).toBe("forbidden");
      expect((await fetchExport("format=gloss", w.outsider)).status).toBe(404);
      expect((await new ApiClient(ctx.server.url).request("GET", exportUrl("format=gloss"))).status).toBe(
        401,
      );
    });

    it("refuses bad options with 400 naming them", async () => {
      const bad = async (qs: string) => {
        const res = await fetchExport(qs);
        expect(res.status).toBe(400);
        return (await res.json()).error;
      };
      expect((await bad("format=xml")).message).toMatch(/^format:/);
      expect((await bad("format=conll&overlap=per-label")).message).toBe(
        "overlap: per-label needs format=huggingface",
      );
      expect((await bad("format=gloss&layer=user-0")).message).toMatch(/^layer:/);
      expect((await bad("format=huggingface&split=0.5,0.5")).message).toMatch(/^split:/);
      expect((await bad("format=gloss&labels=claim,nonsense")).message).toBe(
        "Unknown labels in the filter: nonsense",
      );
    });
  });

  describe("formats", () => {
    it("gloss JSONL streams every document with its spans, relations and exact code-point offsets", async () => {
      const res = await fetchExport("format=gloss");
      expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
      expect(res.headers.get("content-disposition")).toMatch(
        /^attachment; filename=".+-gold-gloss\.jsonl"; filename\*=UTF-8''/,
      );
      const lines = jsonl(await res.text());
      expect(lines.map((l) => l.id)).toEqual(w.docs.map((d) => d.id));
      lines.forEach((line, i) => {
        const d = w.docs[i]!;
        expect(line).toMatchObject({ name: d.name, text: d.text, layer: "gold", offsets: "codepoint" });
        expect(line.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(line.spans.map((s: { text: string }) => s.text)).toEqual(goldCovered()[i]);
        for (const s of line.spans) expect(py(d.text, s.start, s.end)).toBe(s.text);
        expect(
          line.spans.map((s: { id: string; label: string; note: string | null; author: number }) => [
            s.id,
            s.label,
            s.note,
            s.author,
          ]),
        ).toEqual(d.spans.map((s) => [s.id, s.label, s.note ?? null, w.curator.id]));
        expect(
          line.relations.map((r: { from: string; to: string; type: string }) => [r.from, r.to, r.type]),
        ).toEqual(d.relations.map(([a, b, t]) => [d.spans[a]!.id, d.spans[b]!.id, t]));
      });
    });

    it("every format exports the gold layer, and its code-point offsets cut exactly the covered text", async () => {
      const covered = goldCovered();
      const total = covered.flat().length;
      for (const format of EXPORT_FORMATS) {
        const res = await fetchExport(`format=${format}`);
        expect(res.status, format).toBe(200);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = new TextDecoder().decode(bytes);
        if (format === "doccano") {
          jsonl(text).forEach((l, i) => {
            expect(l.label.map(([a, b]: number[]) => py(l.text, a!, b!))).toEqual(covered[i]);
          });
        } else if (format === "doccano-relations") {
          jsonl(text).forEach((l, i) => {
            expect(
              l.entities.map((e: { start_offset: number; end_offset: number }) =>
                py(l.text, e.start_offset, e.end_offset),
              ),
            ).toEqual(covered[i]);
            expect(l.relations).toHaveLength(w.docs[i]!.relations.length);
          });
        } else if (format === "spacy") {
          jsonl(text).forEach((l, i) => {
            expect(l.spans.map((s: { start: number; end: number }) => py(l.text, s.start, s.end))).toEqual(
              l.spans.map((s: { text: string }) => s.text),
            );
            expect(l.meta.document_id).toBe(w.docs[i]!.id);
          });
        } else if (format === "labelstudio") {
          const tasks = JSON.parse(text);
          expect(tasks).toHaveLength(w.docs.length);
          tasks.forEach(
            (
              t: {
                data: { text: string };
                annotations: Array<{
                  result: Array<{ type: string; value: { start: number; end: number; text: string } }>;
                }>;
              },
              i: number,
            ) => {
              const regions = t.annotations[0]!.result.filter((r) => r.type === "labels");
              expect(regions.map((r) => py(t.data.text, r.value.start, r.value.end))).toEqual(covered[i]);
              expect(regions.map((r) => r.value.text)).toEqual(covered[i]);
            },
          );
        } else if (format === "w3c") {
          const page = JSON.parse(text);
          const spans = page.items.filter((a: { motivation: string }) => a.motivation === "classifying");
          expect(spans).toHaveLength(total);
          for (const a of spans) {
            const d = docById(Number(a.target.source.id.split(":").pop()));
            expect(py(d.text, a.target.selector[0].start, a.target.selector[0].end)).toBe(
              a.target.selector[1].exact,
            );
          }
        } else if (format === "csv") {
          const rows = readCsv(text);
          expect(rows).toHaveLength(total + 1);
          for (const row of rows.slice(1))
            expect(py(docById(Number(row[0])).text, Number(row[4]), Number(row[5]))).toBe(row[7]);
        } else if (format === "conll") {
          expect(text.match(/^-DOCSTART- -X- -X- O$/gm)).toHaveLength(w.docs.length);
        } else if (format === "brat") {
          const files = readZip(bytes);
          expect(files.has("annotation.conf")).toBe(true);
          let tLines = 0;
          for (const d of w.docs) {
            const base = [...files.keys()]
              .find((f) => f.startsWith(`${d.id}-`) && f.endsWith(".txt"))!
              .slice(0, -4);
            expect(new TextDecoder().decode(files.get(`${base}.txt`)!)).toBe(d.text);
            for (const line of new TextDecoder()
              .decode(files.get(`${base}.ann`)!)
              .split("\n")
              .filter((l) => l.startsWith("T"))) {
              const [, spec, covered] = line.split("\t");
              const frags = spec!
                .split(" ")
                .slice(1)
                .join(" ")
                .split(";")
                .map((f) => f.split(" ").map(Number));
              expect(frags.map(([a, b]) => py(d.text, a!, b!)).join(" ")).toBe(covered);
              tLines++;
            }
          }
          expect(tLines).toBe(total);
        } else if (format === "huggingface") {
          const files = readZip(bytes);
          expect([...files.keys()]).toEqual(["train.jsonl", "validation.jsonl", "test.jsonl", "README.md"]);
          const card = new TextDecoder().decode(files.get("README.md")!);
          expect(hfCardNames(card)).toEqual(tagNames(["claim", "denial", "attribution", "speculation"]));
          const docsSeen = new Set(
            ["train", "validation", "test"].flatMap((s) =>
              jsonl(new TextDecoder().decode(files.get(`${s}.jsonl`)!)).map((l) => l.document_id),
            ),
          );
          expect(docsSeen.size).toBe(w.docs.length);
        } else {
          expect(format).toBe("gloss");
        }
      }
    });

    it("offsets=utf16 switches the offsets to UTF-16 code units (JavaScript string indexes)", async () => {
      const lines = jsonl(await (await fetchExport("format=doccano&offsets=utf16")).text());
      lines.forEach((l, i) => {
        expect(l.label.map(([a, b, label]: [number, number, string]) => [a, b, label])).toEqual(
          w.docs[i]!.spans.map((s) => [s.start, s.end, s.label]),
        );
      });
      const gloss = jsonl(await (await fetchExport("format=gloss&offsets=utf16")).text());
      for (const l of gloss) for (const s of l.spans) expect(l.text.slice(s.start, s.end)).toBe(s.text);
    });
  });

  describe("layers and filters", () => {
    /** Annotator layers on the first document: A in all three, B in two, C in one. */
    async function seedAnnotators() {
      const d = w.docs[0]!;
      const at = (q: string) => d.text.indexOf(q);
      const A = { start: at("there"), end: at("there") + 5, label: "claim" };
      const B = { start: at("the minister"), end: at("the minister") + 12, label: "attribution" };
      const C = { start: at("rose"), end: at("rose") + 4, label: "speculation" };
      const layer = (u: SeededUser, spans: Array<typeof A>, rel = false) =>
        addLayer(
          ctx.server.store,
          w.project.id,
          d.id,
          `user-${u.id}`,
          spans.map((s, i) => ({ ...s, id: `u${u.id}-${i}`, author: u.id })),
          w.labelId,
          rel ? [{ id: `ur${u.id}`, from: `u${u.id}-1`, to: `u${u.id}-0`, type: "attributes" }] : [],
        );
      await layer(w.annotator, [A, B], true);
      await layer(w.annotator2, [A, B, C], true);
      await layer(w.annotator3, [A]);
      return { d, A, B, C };
    }

    it("exports one annotator's layer, every annotator layer, or the majority vote", async () => {
      const { d, A, B } = await seedAnnotators();
      const one = jsonl(await (await fetchExport(`format=gloss&layer=user-${w.annotator2.id}`)).text());
      expect(one).toHaveLength(w.docs.length); // the documents assigned to them
      expect(one[0].layer).toBe(`user-${w.annotator2.id}`);
      expect(one[0].spans.map((s: { label: string }) => s.label)).toEqual([
        "claim",
        "attribution",
        "speculation",
      ]);

      const all = jsonl(await (await fetchExport("format=gloss&layer=all")).text());
      expect(all).toHaveLength(w.docs.length * 3);
      expect(all.slice(0, 3).map((l) => [l.id, l.layer, l.spans.length])).toEqual([
        [d.id, `user-${w.annotator.id}`, 2],
        [d.id, `user-${w.annotator2.id}`, 3],
        [d.id, `user-${w.annotator3.id}`, 1],
      ]);

      const majority = jsonl(await (await fetchExport("format=gloss&layer=majority")).text());
      const first = majority.find((l) => l.id === d.id)!;
      expect(first.layer).toBe("majority");
      const cp = (n: number) => Array.from(d.text.slice(0, n)).length;
      expect(
        first.spans.map((s: { start: number; end: number; label: string }) => [s.start, s.end, s.label]),
      ).toEqual([
        [cp(A.start), cp(A.end), "claim"],
        [cp(B.start), cp(B.end), "attribution"],
      ]);
      expect(first.spans[0].extra).toEqual({
        annotators: [w.annotator.id, w.annotator2.id, w.annotator3.id],
        votes: 3,
        voters: 3,
      });
      expect(first.relations).toHaveLength(1); // attribution → claim in two of three layers
    });

    it("filters by documents, labels and status (curation status for gold, assignment status per annotator layer)", async () => {
      await seedAnnotators();
      const [d0, d1, d2] = w.docs;
      const docs = jsonl(await (await fetchExport(`format=gloss&documents=${d2!.id},${d0!.id}`)).text());
      expect(docs.map((l) => l.id)).toEqual([d0!.id, d2!.id]);

      const claims = jsonl(await (await fetchExport("format=gloss&labels=claim")).text());
      for (const l of claims) for (const s of l.spans) expect(s.label).toBe("claim");
      expect(claims[0].relations).toEqual([]); // the relation's source (an attribution) was filtered out

      for (const d of w.docs) if (d.id !== d1!.id) await markCuration(ctx.server.store, d.id, "in_progress");
      const done = jsonl(await (await fetchExport("format=gloss&status=done")).text());
      expect(done.map((l) => l.id)).toEqual([d1!.id]);
      const notDone = jsonl(await (await fetchExport("format=gloss&status=todo,in_progress")).text());
      expect(notDone).toHaveLength(w.docs.length - 1);

      await markAssignment(ctx.server.store, d0!.id, w.annotator.id, "done");
      const allDone = jsonl(await (await fetchExport("format=gloss&layer=all&status=done")).text());
      expect(allDone.map((l) => [l.id, l.layer])).toEqual([[d0!.id, `user-${w.annotator.id}`]]);
    });
  });

  describe("Hugging Face", () => {
    it("splits documents by a seeded shuffle and reports dropped spans in the card and the HTTP trailers", async () => {
      // overlapping gold spans on the first document: the longer one wins under keep-longest
      const d = w.docs[0]!;
      const s = d.text.indexOf("the minister said");
      await addLayer(
        ctx.server.store,
        w.project.id,
        d.id,
        "gold",
        [{ id: "ov", start: s, end: s + 17, label: "claim" }],
        w.labelId,
      );
      const qs = "format=huggingface&split=0.5,0.25,0.25&seed=3&granularity=document";
      const res = await getWithTrailers(ctx.server.url + exportUrl(qs), w.manager.cookie);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("application/zip");
      expect(res.headers.trailer).toContain("X-Gloss-Dropped-Spans");
      // "the minister" (overlap); CJK 彼 is no longer widened to its run, so it overlaps nothing (issue 13 item 15)
      expect(res.trailers["x-gloss-dropped-spans"]).toBe("1");
      expect(res.trailers["x-gloss-dropped-overlap"]).toBe("1");
      expect(res.trailers["x-gloss-documents"]).toBe(String(w.docs.length));
      const files = readZip(new Uint8Array(res.body));
      const card = new TextDecoder().decode(files.get("README.md")!);
      expect(card).toContain("1 span(s) are not in the tags: 1 overlapped a kept span, 0 covered no token.");
      const counts = ["train", "validation", "test"].map(
        (s) => jsonl(new TextDecoder().decode(files.get(`${s}.jsonl`)!)).length,
      );
      expect(counts).toEqual([4, 2, 1]); // 7 documents: round(3.5)=4, round(1.75)=2, the rest
      expect(card).toContain("  - name: train\n    num_examples: 4");
      const again = await getWithTrailers(ctx.server.url + exportUrl(qs), w.manager.cookie);
      const ids = (b: Buffer) =>
        jsonl(new TextDecoder().decode(readZip(new Uint8Array(b)).get("train.jsonl")!)).map(
          (l) => l.document_id,
        );
      expect(ids(again.body)).toEqual(ids(res.body)); // same seed, same split

      const perLabel = readZip(
        new Uint8Array(
          (await getWithTrailers(ctx.server.url + exportUrl(`${qs}&overlap=per-label`), w.manager.cookie))
            .body,
        ),
      );
      expect([...perLabel.keys()].filter((f) => f.endsWith("train.jsonl"))).toEqual([
        "01-claim/train.jsonl",
        "02-denial/train.jsonl",
        "03-attribution/train.jsonl",
        "04-speculation/train.jsonl",
      ]);
    });
  });

  describe("streaming", () => {
    it("holds no database cursor between chunks: the database takes writes while a large export is paused", async () => {
      const store = ctx.server.store;
      const text = `${"The minister said taxes will rise. 😀 ".repeat(60)}`;
      const bulk = Array.from({ length: 3000 }, (_, i) => ({
        projectId: w.project.id,
        name: `bulk-${i}`,
        text: `${i} ${text}`,
        sha256: `sha-bulk-${i}`,
        length: text.length + 6,
      }));
      await call(store, function* (s) {
        for (let i = 0; i < bulk.length; i += 500)
          yield* run(s.q.insert(s.t.documents).values(bulk.slice(i, i + 500)));
      });
      const res = await fetchExport("format=gloss&includeUncurated=true"); // the bulk documents are not curated
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // the export is mid-way (gigabytes are not buffered): a write on the same connection must succeed
      await call(store, function* (s) {
        yield* run(
          s.q
            .insert(s.t.labels)
            .values({ projectId: w.project.id, name: "written-mid-export", color: "#000000" }),
        );
      });
      let bytes = first.value!.byteLength;
      let lines = new TextDecoder().decode(first.value!).split("\n").length - 1;
      const decoder = new TextDecoder();
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        bytes += next.value.byteLength;
        lines += decoder.decode(next.value, { stream: true }).split("\n").length - 1;
      }
      expect(lines).toBe(w.docs.length + 3000);
      expect(bytes).toBeGreaterThan(3000 * text.length);
    });
  });
});
