/**
 * Annotation import of files other tools wrote (issue 13 items 16–18), over a real server and database:
 * a brat document of brat's own tutorial imports what Gloss carries and reports, by kind, every line it
 * cannot; a W3C export re-imports into another project holding the same texts under other ids and names;
 * a record naming no document and a pretty-printed JSON file given as JSONL get one human message each.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { call, run } from "@gloss/server/db/store";
import { writeZip } from "@gloss/server/services/importAnnotations";
import { listRelations, listSpans } from "@gloss/shared";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, type SeededUser } from "../helpers/seed";
import { addWorld, type World } from "../helpers/world";

const ctx = useServer();
let w: World;
beforeEach(async () => {
  w = await addWorld(ctx.server.store);
});

const as = (u: SeededUser) => {
  const c = new ApiClient(ctx.server.url);
  c.cookie = u.cookie;
  return c;
};
const post = (projectId: number, qs: string, body: string | Uint8Array) =>
  as(w.manager).request(
    "POST",
    `/api/projects/${projectId}/annotations/import?${qs}`,
    body,
    typeof body === "string" ? { "content-type": "application/json" } : {},
  );

/** The live spans of a layer as [start, end, label name, note]. */
const liveSpans = (documentId: number, layer: string, labels: Array<{ id: number; name: string }>) =>
  ctx.server.deps.collab.withDoc(documentId, layer as "shared", (doc) => {
    const names = new Map(labels.map((l) => [l.id, l.name]));
    return listSpans(doc).map((s) => [s.start, s.end, names.get(s.label), s.note ?? null]);
  });

const labelsOf = async (projectId: number) =>
  (await (await as(w.manager).request("GET", `/api/projects/${projectId}`)).json()).labels as Array<{
    id: number;
    name: string;
  }>;

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/brat");

describe("brat: what Gloss carries is imported, every other line is counted by kind", () => {
  it("brat's tutorial document: 7 spans, 2 relations, the note; 1 event, 5 attributes, 1 normalisation reported", async () => {
    const ann = readFileSync(path.join(FIXTURES, "000-introduction.ann"));
    const txt = readFileSync(path.join(FIXTURES, "000-introduction.txt"));
    const text = txt.toString("utf8");
    const project = await addProject(ctx.server.store, { members: [{ user: w.manager, role: "manager" }] });
    const doc = await addDocument(ctx.server.store, project.id, text, { name: "000-introduction.txt" });
    await call(ctx.server.store, function* (s) {
      yield* run(
        s.q
          .update(s.t.projects)
          .set({ relationTypes: ["Origin", "Family"] })
          .where(eq(s.t.projects.id, project.id)),
      );
    });
    const zip = writeZip(
      new Map([
        ["000-introduction.ann", new Uint8Array(ann)],
        ["000-introduction.txt", new Uint8Array(txt)],
      ]),
    );
    const res = await post(project.id, "format=brat&layer=shared&createLabels=true", zip);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ documents: 1, spans: 7, relations: 2, skipped: 0 });
    expect(body.notImported).toEqual({ events: 1, attributes: 5, normalizations: 1 });
    const spans = await liveSpans(doc.id, "shared", await labelsOf(project.id));
    expect(spans).toHaveLength(7);
    const at = (q: string) => [text.indexOf(q), text.indexOf(q) + q.length];
    expect(spans).toContainEqual([...at("$100 million"), "Money", "100000000 USD"]);
    expect(spans).toContainEqual([443, 449, "Transfer-money", null]); // the event's trigger
    const types = await ctx.server.deps.collab.withDoc(doc.id, "shared", (d) =>
      listRelations(d).map((r) => r.type),
    );
    expect(types.sort()).toEqual(["Family", "Origin"]);
  });
});

describe("W3C: a re-import into another project with the same texts", () => {
  it("matches each target by sha256 when the id and name are another project's: every span lands", async () => {
    const exported = await (
      await as(w.manager).request(
        "GET",
        `/api/projects/${w.project.id}/export?format=w3c&includeUncurated=true`,
      )
    ).text();
    const b = await addProject(ctx.server.store, { members: [{ user: w.manager, role: "manager" }] });
    const copies: number[] = [];
    // other ids (created later) and other names: only the texts are the same
    for (const d of [...w.docs].reverse()) {
      copies.unshift((await addDocument(ctx.server.store, b.id, d.text, { name: `copy of ${d.name}` })).id);
    }
    const res = await post(b.id, "format=w3c&layer=shared", exported);
    expect(res.status).toBe(200);
    const total = w.docs.reduce((n, d) => n + d.spans.length, 0);
    expect((await res.json()).spans).toBe(total);
    const labels = await labelsOf(b.id);
    for (const [i, d] of w.docs.entries()) {
      expect(await liveSpans(copies[i]!, "shared", labels)).toEqual(
        d.spans.map((s) => [s.start, s.end, s.label, s.note ?? null]),
      );
    }
    // what let it find them: the source carries the name and sha256 beside the id
    const page = JSON.parse(exported);
    const first = page.items.find((a: { motivation: string }) => a.motivation === "classifying");
    expect(first.target.source).toMatchObject({
      id: `urn:gloss:document:${w.docs[0]!.id}`,
      name: w.docs[0]!.name,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(first.target.selector.map((s: { type: string }) => s.type)).toEqual([
      "TextPositionSelector",
      "TextQuoteSelector",
    ]);
  });
});

describe("messages a person can act on", () => {
  it("a record that names no document says so", async () => {
    const res = await post(w.project.id, "format=gloss&layer=shared", `${JSON.stringify({ spans: [] })}\n`);
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.details.errors[0].message).toBe(
      "line 1: the record does not say which document it is for: give the document's id, name or text",
    );
    expect(err.message).not.toContain("nothing that identifies");
  });

  it.each(["gloss", "doccano"])(
    "a pretty-printed JSON file given as %s JSONL gets one error saying so",
    async (format) => {
      const d = w.docs[0]!;
      const record = format === "gloss" ? { id: d.id, text: d.text, spans: [] } : { text: d.text, label: [] };
      for (const body of [JSON.stringify(record, null, 2), JSON.stringify([record, record], null, 2)]) {
        const res = await post(w.project.id, `format=${format}&layer=shared`, body);
        expect(res.status).toBe(422);
        const err = (await res.json()).error;
        expect(err.details.total).toBe(1);
        expect(err.details.errors[0].code).toBe("parse_error");
        expect(err.details.errors[0].message).toMatch(/^this is pretty-printed JSON .*not JSON Lines/);
      }
    },
  );
});
