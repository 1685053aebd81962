/**
 * Annotation import (services/importAnnotations.ts) on SQLite and on PostgreSQL: what it reads and writes
 * in the database — the project and its relation types, its labels (and the ones it creates), the
 * documents a record names by id, name, sha256 or text, each document's text, the audit row — and its
 * refusals with their line, field and file.
 *
 * The layers are written through the collaboration service, which runs on SQLite alone for now
 * (createCollab takes a SQLite database): here a stand-in keeps one Y.Doc per document and layer, so the
 * whole import runs on both databases and its layer writes are read back from those docs. The real
 * collaboration path (rooms, persistence, projection, batches) is covered on SQLite by
 * test/api/import-annotations.test.ts.
 */

import { createHash } from "node:crypto";
import { all, call, execute } from "@gloss/server/db/store";
import { HttpError } from "@gloss/server/errors";
import {
  type ImportDeps,
  type ImportRequest,
  importAnnotations,
} from "@gloss/server/services/importAnnotations";
import { createProject } from "@gloss/server/services/projects";
import { createUser } from "@gloss/server/services/users";
import { LABEL_PALETTE, type LayerName, listRelations, listSpans } from "@gloss/shared";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { BACKENDS, useClosers } from "../helpers/backends";

const closers = useClosers();

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** The collaboration service as the import uses it: one Y.Doc per document and layer, kept in memory. */
function standInCollab() {
  const docs = new Map<string, Y.Doc>();
  const doc = (documentId: number, layer: LayerName) => {
    const key = `${documentId}/${layer}`;
    let d = docs.get(key);
    if (!d) {
      d = new Y.Doc();
      docs.set(key, d);
    }
    return d;
  };
  const collab: ImportDeps["collab"] = {
    layerWriter: async (documentId, layer) => {
      const d = doc(documentId, layer);
      return {
        read: async (fn) => fn(d),
        write: async (fn, origin) => d.transact(() => fn(d, true), origin),
        close: () => {},
      };
    },
    flush: async () => {},
  };
  return { collab, docs, doc };
}

const lines = (...records: object[]) =>
  new TextEncoder().encode(records.map((r) => `${JSON.stringify(r)}\n`).join(""));

// what a call ends in: its value, or the HttpError's status, code, message and listed issues
const settle = <T>(p: Promise<T>) =>
  p.then(
    (v) => v,
    (e: unknown) =>
      e instanceof HttpError
        ? { status: e.status, code: e.code, message: e.message, details: e.details }
        : `not an HttpError: ${e}`,
  );

const TEXTS = {
  alpha: "Alpha text about kings and rivers.",
  beta: "Beta text: the river Nile floods.",
  gammaA: "Gamma, first of two with one name.",
  gammaB: "Gamma, second of two with one name.",
};

describe.each(BACKENDS)("on $name", (backend) => {
  async function world() {
    const { store, close } = await backend.open();
    closers.push(close);
    const ada = await createUser(store, { username: "ada", password: "correct horse battery" });
    const project = await call(store, createProject, ada.id, {
      name: "Rivers",
      labels: [{ name: "Person" }, { name: "Place name" }],
      relationTypes: ["rules", "near by"],
    });
    const other = await call(store, createProject, ada.id, { name: "Other", labels: [{ name: "Person" }] });
    const { documents } = store.t;
    const insertDoc = async (projectId: number, name: string, text: string) =>
      (
        await execute(
          store,
          all(
            store.q
              .insert(documents)
              .values({ projectId, name, text, sha256: sha256(text), length: text.length })
              .returning({ id: documents.id }),
          ),
        )
      )[0]!.id;
    const docs = {
      alpha: await insertDoc(project.id, "alpha.txt", TEXTS.alpha),
      beta: await insertDoc(project.id, "beta.txt", TEXTS.beta),
      gammaA: await insertDoc(project.id, "gamma.txt", TEXTS.gammaA),
      gammaB: await insertDoc(project.id, "gamma.txt", TEXTS.gammaB),
      // another project's document: never matched by this project's import
      elsewhere: await insertDoc(other.id, "alpha.txt", "Elsewhere, a text of another project."),
    };
    const labelRows = async () => {
      const { labels } = store.t;
      return execute(
        store,
        all(store.q.select().from(labels).where(eq(labels.projectId, project.id)).orderBy(asc(labels.order))),
      );
    };
    const audits = async () => {
      const { auditLog } = store.t;
      return execute(
        store,
        all(
          store.q
            .select()
            .from(auditLog)
            .where(eq(auditLog.action, "annotations.import"))
            .orderBy(asc(auditLog.id)),
        ),
      );
    };
    const stand = standInCollab();
    const layer: LayerName = `user-${ada.id}`;
    const req = (over: Partial<ImportRequest> = {}): ImportRequest => ({
      projectId: project.id,
      format: "gloss",
      layer,
      createLabels: false,
      userId: ada.id,
      fileName: "spans.jsonl",
      ...over,
    });
    const run = (file: Uint8Array, over: Partial<ImportRequest> = {}) =>
      importAnnotations({ store, collab: stand.collab }, req(over), file);
    /** A document's spans in the layer as (start, end, label name, note), in reading order. */
    const spansIn = async (documentId: number, l: LayerName = layer) => {
      const names = new Map((await labelRows()).map((r) => [r.id, r.name]));
      return listSpans(stand.doc(documentId, l)).map((s) => [
        s.start,
        s.end,
        names.get(s.label),
        s.note ?? null,
      ]);
    };
    return { store, ada, project, other, docs, labelRows, audits, stand, layer, run, spansIn };
  }

  it("matches documents by id, by name, by sha256 and by the text a record carries; writes their spans and audits the import", async () => {
    const w = await world();
    const file = lines(
      // by id
      { id: w.docs.alpha, spans: [{ start: 0, end: 5, label: "Person", text: "Alpha", note: "a king" }] },
      // by name (one document of that name)
      { name: "beta.txt", spans: [{ start: 21, end: 25, label: "Place name", text: "Nile" }] },
      // by sha256 alone
      { sha256: sha256(TEXTS.gammaA), spans: [{ start: 0, end: 5, label: "person", text: "Gamma" }] },
      // by its text alone; a brat-style label name (`_` for the space)
      { text: TEXTS.gammaB, spans: [{ start: 0, end: 5, label: "Place_name", text: "Gamma" }] },
    );
    const result = await w.run(file);
    expect(result).toEqual({ documents: 4, spans: 4, relations: 0, skipped: 0, createdLabels: [] });
    expect(await w.spansIn(w.docs.alpha)).toEqual([[0, 5, "Person", "a king"]]);
    expect(await w.spansIn(w.docs.beta)).toEqual([[21, 25, "Place name", null]]);
    expect(await w.spansIn(w.docs.gammaA)).toEqual([[0, 5, "Person", null]]);
    expect(await w.spansIn(w.docs.gammaB)).toEqual([[0, 5, "Place name", null]]);
    expect(listSpans(w.stand.doc(w.docs.alpha, w.layer))[0]).toMatchObject({ author: w.ada.id });
    expect(w.stand.docs.has(`${w.docs.elsewhere}/${w.layer}`)).toBe(false);
    const rows = await w.audits();
    expect(rows.map((r) => [r.userId, r.projectId, r.target, r.details])).toEqual([
      [
        w.ada.id,
        w.project.id,
        `layer:${w.layer}`,
        {
          format: "gloss",
          file: "spans.jsonl",
          documents: 4,
          spans: 4,
          relations: 0,
          skipped: 0,
          createdLabels: [],
        },
      ],
    ]);
    // again: everything is there already, nothing added twice (and audited again)
    expect(await w.run(file)).toEqual({
      documents: 4,
      spans: 0,
      relations: 0,
      skipped: 4,
      createdLabels: [],
    });
    expect(await w.spansIn(w.docs.alpha)).toEqual([[0, 5, "Person", "a king"]]);
    expect((await w.audits()).map((r) => (r.details as { skipped: number }).skipped)).toEqual([0, 4]);
  });

  it("a record whose text contradicts its id or name is matched by its text; a name two documents share, by nothing else", async () => {
    const w = await world();
    // the id of alpha with beta's text: beta, which the text identifies
    // the shared name with gammaB's text: gammaB
    const result = await w.run(
      lines(
        { id: w.docs.alpha, text: TEXTS.beta, spans: [{ start: 0, end: 4, label: "Person", text: "Beta" }] },
        { name: "gamma.txt", text: TEXTS.gammaB, spans: [{ start: 0, end: 5, label: "Person" }] },
        { name: "gamma.txt", sha256: sha256(TEXTS.gammaA), spans: [{ start: 7, end: 12, label: "Person" }] },
      ),
    );
    expect(result).toMatchObject({ documents: 3, spans: 3 });
    expect(w.stand.docs.has(`${w.docs.alpha}/${w.layer}`)).toBe(false);
    expect(await w.spansIn(w.docs.beta)).toEqual([[0, 4, "Person", null]]);
    expect(await w.spansIn(w.docs.gammaB)).toEqual([[0, 5, "Person", null]]);
    expect(await w.spansIn(w.docs.gammaA)).toEqual([[7, 12, "Person", null]]);

    // the shared name alone, another project's document, an unknown id: no document; nothing written
    const before = w.stand.docs.size;
    const refused = await settle(
      w.run(
        lines(
          { id: w.docs.alpha, spans: [{ start: 0, end: 5, label: "Person" }] },
          { name: "gamma.txt", spans: [{ start: 0, end: 5, label: "Person" }] },
          { id: w.docs.elsewhere, spans: [] },
          { id: 999_999, name: "nope.txt", spans: [] },
        ),
      ),
    );
    expect(refused).toMatchObject({ status: 422, code: "invalid_annotations" });
    const r = refused as {
      message: string;
      details: { errors: Array<{ code: string; message: string }>; total: number };
    };
    expect(r.details.errors.map((e) => [e.code, e.message])).toEqual([
      ["unknown_document", 'spans.jsonl line 2: no document of the project matches name "gamma.txt"'],
      ["unknown_document", `spans.jsonl line 3: no document of the project matches id ${w.docs.elsewhere}`],
      [
        "unknown_document",
        'spans.jsonl line 4: no document of the project matches id 999999, name "nope.txt"',
      ],
    ]);
    expect(r.details.total).toBe(3);
    expect(r.message).toBe(
      '3 problems in the file; nothing was imported. First: spans.jsonl line 2: no document of the project matches name "gamma.txt"',
    );
    expect(w.stand.docs.size).toBe(before);
    expect(await w.spansIn(w.docs.alpha)).toEqual([]);
    expect((await w.audits()).length).toBe(1); // the first import's only
  });

  it("refusals name their line and field: offsets that cut other text, unknown labels, relations; nothing is written or audited", async () => {
    const w = await world();
    const mismatch = await settle(
      w.run(
        lines(
          { id: w.docs.alpha, spans: [{ start: 0, end: 5, label: "Person", text: "Alpha" }] },
          { id: w.docs.beta, spans: [{ start: 0, end: 4, label: "Person", text: "Nile" }] },
        ),
      ),
    );
    expect(mismatch).toMatchObject({ status: 422, code: "invalid_annotations" });
    const m = mismatch as { details: { errors: Array<{ code: string; message: string }> } };
    expect(m.details.errors.map((e) => e.code)).toEqual(["offset_mismatch"]);
    expect(m.details.errors[0]!.message).toMatch(
      /^spans\.jsonl line 2, field spans\[0\]: offsets 0–4 .* cut "Beta", not the covered text "Nile"/,
    );

    const unknown = await settle(
      w.run(
        lines({
          id: w.docs.alpha,
          spans: [
            { start: 0, end: 5, label: "Ruler" },
            { start: 6, end: 10, label: "Person" },
            { start: 0, end: 5, label: "Ruler" },
            { start: 20, end: 25, label: "Epoch" },
          ],
        }),
      ),
    );
    expect(unknown).toMatchObject({
      status: 422,
      code: "invalid_annotations",
      message: "Unknown labels: Ruler, Epoch (create them with createLabels=true). Nothing was imported.",
      details: {
        unknownLabels: ["Ruler", "Epoch"],
        total: 2,
        errors: [
          { code: "unknown_label", message: 'spans.jsonl line 1, field spans[0]: unknown label "Ruler"' },
          { code: "unknown_label", message: 'spans.jsonl line 1, field spans[3]: unknown label "Epoch"' },
        ],
      },
    });

    const relations = await settle(
      w.run(
        lines({
          id: w.docs.alpha,
          spans: [
            { id: "T1", start: 0, end: 5, label: "Person" },
            { id: "T2", start: 27, end: 33, label: "Place name" },
          ],
          relations: [
            { from: "T1", to: "T9", type: "rules" },
            { from: "T1", to: "T2", type: "marries" },
          ],
        }),
      ),
    );
    const rel = relations as { details: { errors: Array<{ code: string; message: string }> } };
    expect(rel.details.errors.map((e) => [e.code, e.message])).toEqual([
      [
        "invalid_relation",
        'spans.jsonl line 1, field relations[0]: the relation refers to unknown span "T9"',
      ],
      [
        "unknown_relation_type",
        'spans.jsonl line 1, field relations[1]: unknown relation type "marries" (the project has "rules", "near by")',
      ],
    ]);

    // no such project: 404 before anything is read
    expect(await settle(w.run(lines({ id: w.docs.alpha, spans: [] }), { projectId: 999_999 }))).toMatchObject(
      {
        status: 404,
        code: "not_found",
        message: "No such project",
      },
    );
    expect(w.stand.docs.size).toBe(0);
    expect(await w.audits()).toEqual([]);
    expect((await w.labelRows()).map((l) => l.name)).toEqual(["Person", "Place name"]);
  });

  it("creates the labels it lacks on request, after the project's own, and writes relations of the project's types", async () => {
    const w = await world();
    const result = await w.run(
      lines({
        id: w.docs.alpha,
        spans: [
          { id: "T1", start: 0, end: 5, label: "Ruler" },
          { id: "T2", start: 27, end: 33, label: "Place name" },
          { id: "T3", start: 11, end: 16, label: "Epoch", text: "about" },
        ],
        relations: [
          { from: "T1", to: "T2", type: "rules" },
          { from: "T3", to: "T2", type: "near_by" },
        ],
      }),
      { createLabels: true },
    );
    expect(result).toEqual({
      documents: 1,
      spans: 3,
      relations: 2,
      skipped: 0,
      createdLabels: ["Ruler", "Epoch"],
    });
    expect((await w.labelRows()).map((l) => [l.name, l.order, l.color, l.hotkey, l.description])).toEqual([
      ["Person", 0, expect.any(String), "1", ""],
      ["Place name", 1, expect.any(String), "2", ""],
      ["Ruler", 2, LABEL_PALETTE[2], null, "Created by an annotation import"],
      ["Epoch", 3, LABEL_PALETTE[3], null, "Created by an annotation import"],
    ]);
    expect(await w.spansIn(w.docs.alpha)).toEqual([
      [0, 5, "Ruler", null],
      [11, 16, "Epoch", null],
      [27, 33, "Place name", null],
    ]);
    const doc = w.stand.doc(w.docs.alpha, w.layer);
    const idOf = new Map(listSpans(doc).map((s) => [s.start, s.id]));
    expect(listRelations(doc).map((r) => [r.from, r.to, r.type, r.author])).toEqual([
      [idOf.get(0), idOf.get(27), "rules", w.ada.id],
      [idOf.get(11), idOf.get(27), "near by", w.ada.id],
    ]);
    expect((await w.audits()).map((r) => r.details)).toEqual([
      {
        format: "gloss",
        file: "spans.jsonl",
        documents: 1,
        spans: 3,
        relations: 2,
        skipped: 0,
        createdLabels: ["Ruler", "Epoch"],
      },
    ]);
    // the created labels are the project's now: a second file using them needs no createLabels
    expect(
      await w.run(lines({ id: w.docs.beta, spans: [{ start: 0, end: 4, label: "Epoch" }] }), {
        fileName: undefined,
      }),
    ).toMatchObject({ documents: 1, spans: 1, createdLabels: [] });
    expect((await w.audits()).at(-1)!.details).toMatchObject({ file: null, spans: 1 });
  });

  it("a doccano file (documents by text) into gold carries import provenance", async () => {
    const w = await world();
    const result = await w.run(
      lines(
        { text: TEXTS.beta, label: [[21, 25, "Place name"]] },
        { text: TEXTS.alpha, label: [[0, 5, "Person"]] },
      ),
      { format: "doccano", layer: "gold", fileName: "gold.jsonl" },
    );
    expect(result).toMatchObject({ documents: 2, spans: 2 });
    expect(await w.spansIn(w.docs.beta, "gold")).toEqual([[21, 25, "Place name", null]]);
    const [span] = listSpans(w.stand.doc(w.docs.alpha, "gold"));
    expect(span!.provenance).toMatchObject({ annotators: [], decidedBy: w.ada.id, via: "import" });
    expect((await w.audits()).map((r) => [r.target, (r.details as { format: string }).format])).toEqual([
      ["layer:gold", "doccano"],
    ]);
  });
});
