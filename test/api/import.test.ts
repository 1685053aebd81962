/**
 * POST /projects/:id/documents: every input shape (txt, JSONL/NDJSON, CSV, JSON body, multipart with
 * several files, streamed bodies), exact storage, every bad input (400 naming file + line, nothing
 * stored), duplicates, authorisation and the audit entry.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { all, call, get, run, type Store } from "@gloss/server/db/store";
import { createParser } from "@gloss/server/import/formats/index";
import { readMultipart } from "@gloss/server/import/upload";
import {
  type ApiErrorBody,
  type DocumentDto,
  type DocumentListDto,
  IMPORT_RESULT_FIRST,
  type ImportResultDto,
} from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, postChunked } from "../helpers/http";
import { addDocument, addProject, addUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/import");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let server: TestServer;
let store: Store;
beforeAll(async () => {
  server = await startServer();
  store = server.store;
});
afterAll(() => server.close());

/** A manager with a fresh project that already holds one document (so "unchanged" is not just "empty"). */
async function setup() {
  const user = await addUser(store);
  const project = await addProject(store, { members: [{ user, role: "manager" }] });
  await addDocument(store, project.id, "A document that was there before the import.");
  const api = new ApiClient(server.url);
  api.cookie = user.cookie;
  return { user, project, api };
}

/** The documents of a project in `on`'s database, by id. */
const documentsIn = (on: Store, projectId: number) =>
  call(on, function* (s) {
    const { documents } = s.t;
    return yield* all(
      s.q.select().from(documents).where(eq(documents.projectId, projectId)).orderBy(documents.id),
    );
  });
const rowsOf = (projectId: number) => documentsIn(store, projectId);
const countOf = async (projectId: number) => (await rowsOf(projectId)).length;

function form(files: Array<[name: string, bytes: Uint8Array]>): FormData {
  const fd = new FormData();
  for (const [name, bytes] of files) fd.append("files", new Blob([new Uint8Array(bytes)]), name);
  return fd;
}

async function importFiles(api: ApiClient, projectId: number, files: Array<[string, Uint8Array]>) {
  return api.request("POST", `/api/projects/${projectId}/documents`, form(files));
}

async function ok(res: Response): Promise<ImportResultDto> {
  const body = await res.text();
  expect(res.status, body).toBe(201);
  return JSON.parse(body) as ImportResultDto;
}

async function errorOf(res: Response) {
  return ((await res.json()) as ApiErrorBody).error as {
    code: string;
    message: string;
    details: { file: string; line: number | null; field?: string; reason: string };
  };
}

/** The stored row of an imported document, with its text as UTF-8 bytes. */
async function stored(id: number) {
  const row = (await call(store, function* (s) {
    return yield* get(s.q.select().from(s.t.documents).where(eq(s.t.documents.id, id)));
  }))!;
  return { ...row, bytes: Buffer.from(row.text, "utf8") };
}

describe("import: happy paths", () => {
  it("a .txt upload becomes one document named after the file, stored byte for byte", async () => {
    const { api, project } = await setup();
    const bytes = fixture("plain.txt");
    const result = await ok(await importFiles(api, project.id, [["plain.txt", bytes]]));
    expect(result.skipped).toEqual({ count: 0, first: [] });
    expect(result.imported.count).toBe(1);
    const [doc] = result.imported.first;
    expect(doc!.name).toBe("plain");
    expect(doc!.sha256).toBe(sha256(bytes));
    const row = await stored(doc!.id);
    expect(row.bytes.equals(bytes)).toBe(true);
    expect(row.sha256).toBe(sha256(row.bytes));
    expect(row.length).toBe(row.text.length);
    const dto = await api.get<DocumentDto>(`/api/documents/${doc!.id}`);
    expect(dto).toMatchObject({ id: doc!.id, name: "plain", text: bytes.toString("utf8"), meta: {} });
  });

  it("keeps CRLF, trailing spaces, NFD combining marks, emoji and a missing final newline exactly; strips only a leading BOM", async () => {
    const { api, project } = await setup();
    const names = ["crlf.txt", "emoji.txt", "no-final-newline.txt", "bom.txt"];
    // a U+FEFF that is not at the start of the file is text, and stays
    const innerBom = Buffer.concat([Buffer.from("before\n"), BOM, Buffer.from("after")]);
    const result = await ok(
      await importFiles(api, project.id, [
        ...names.map((n) => [n, fixture(n)] as [string, Buffer]),
        ["inner-bom.txt", innerBom],
      ]),
    );
    expect(result.imported.first.map((d) => d.name)).toEqual([
      "crlf",
      "emoji",
      "no-final-newline",
      "bom",
      "inner-bom",
    ]);
    const expected = [...names.map((n) => fixture(n)), innerBom];
    expected[3] = fixture("bom.txt").subarray(3);
    expect(fixture("bom.txt").subarray(0, 3).equals(BOM)).toBe(true);
    expect(fixture("crlf.txt").includes("\r\n")).toBe(true); // the fixture kept its CRLFs (.gitattributes)
    for (const [i, d] of result.imported.first.entries()) {
      const row = await stored(d.id);
      expect(row.bytes.equals(expected[i]!), d.name).toBe(true);
      expect(d.sha256).toBe(sha256(expected[i]!));
      expect(row.sha256).toBe(sha256(expected[i]!));
    }
    const emoji = await api.get<DocumentDto>(`/api/documents/${result.imported.first[1]!.id}`);
    expect(emoji.text).toBe(fixture("emoji.txt").toString("utf8"));
    expect(emoji.text).toContain("cafe\u0301"); // not NFC-normalised
    expect(emoji.text.normalize("NFC")).not.toBe(emoji.text);
    expect(emoji.length).toBe([...emoji.text].length); // code points
    expect((await stored(emoji.id)).length).toBe(emoji.text.length); // the column keeps UTF-16 units
    expect(emoji.length).toBeLessThan(emoji.text.length);
  });

  it("JSONL: one document per line, blank lines skipped, unnamed ones named <stem>-<line>, extra fields kept in meta", async () => {
    const { api, project } = await setup();
    const result = await ok(await importFiles(api, project.id, [["docs.jsonl", fixture("docs.jsonl")]]));
    expect(result.imported.first.map((d) => d.name)).toEqual(["one", "two", "docs-4"]);
    const [one, two, three] = await Promise.all(
      result.imported.first.map((d) => api.get<DocumentDto>(`/api/documents/${d.id}`)),
    );
    expect(one).toMatchObject({
      text: "Jsonl one: the senator claimed victory.",
      meta: { source: "wire", n: 1 },
    });
    expect(two!.text).toBe("Jsonl two: the spokesperson denied it.\nWith a second line.");
    expect(three).toMatchObject({ text: "Jsonl three: without a name \u{1F600}", meta: { id: "x-3" } });
  });

  it("NDJSON with CRLF line endings and no final newline; a CRLF inside a JSON string is kept", async () => {
    const { api, project } = await setup();
    const result = await ok(
      await importFiles(api, project.id, [["docs-crlf.ndjson", fixture("docs-crlf.ndjson")]]),
    );
    expect(result.imported.first.map((d) => d.name)).toEqual(["c1", "c2", "c3"]);
    expect((await Promise.all(result.imported.first.map((d) => stored(d.id)))).map((r) => r.text)).toEqual([
      "CRLF container one",
      "CRLF container two, text with \r\n inside",
      "last line has no newline",
    ]);
  });

  it("CSV: the text column, the name column, other columns in meta; quoted fields keep quotes, line breaks and spaces", async () => {
    const { api, project } = await setup();
    const result = await ok(await importFiles(api, project.id, [["docs.csv", fixture("docs.csv")]]));
    expect(result.imported.first.map((d) => d.name)).toEqual(["alpha", "beta", "docs-5"]);
    const docs = await Promise.all(
      result.imported.first.map((d) => api.get<DocumentDto>(`/api/documents/${d.id}`)),
    );
    expect(docs.map((d) => d.text)).toEqual([
      'The minister said "yes", then "no".',
      "A quoted field\r\nspanning two lines  ",
      "Unnamed row with trailing spaces   ",
    ]);
    expect(docs.map((d) => d.meta)).toEqual([
      { source: "wire", year: "2024" },
      { source: "blog", year: "2023" },
      { source: "wire", year: "2022" },
    ]);
  });

  it("a JSON body { documents: [...] } (names default to document-<n>, unknown fields go to meta)", async () => {
    const { api, project } = await setup();
    const result = await api.json<ImportResultDto>(
      "POST",
      `/api/projects/${project.id}/documents`,
      {
        documents: [
          { text: "JSON body one  \r\n", name: "j1", meta: { lang: "en" } },
          { text: "JSON body two \u{1F600}", externalId: 42 },
        ],
      },
      201,
    );
    expect(result.imported.first.map((d) => d.name)).toEqual(["j1", "document-2"]);
    expect(await stored(result.imported.first[0]!.id)).toMatchObject({
      text: "JSON body one  \r\n",
      meta: '{"lang":"en"}',
    });
    expect(JSON.parse((await stored(result.imported.first[1]!.id)).meta)).toEqual({ externalId: 42 });
  });

  it("multipart with several files of different formats imports them all, in order", async () => {
    const { api, project } = await setup();
    const before = await countOf(project.id);
    const result = await ok(
      await importFiles(api, project.id, [
        ["plain.txt", fixture("plain.txt")],
        ["docs.jsonl", fixture("docs.jsonl")],
        ["docs.csv", fixture("docs.csv")],
      ]),
    );
    expect(result.imported.first.map((d) => d.name)).toEqual([
      "plain",
      "one",
      "two",
      "docs-4",
      "alpha",
      "beta",
      "docs-5",
    ]);
    expect(await countOf(project.id)).toBe(before + 7);
  });

  it("a streamed NDJSON body (application/x-ndjson, ?name=) of 20,000 lines arrives in many chunks", async () => {
    const { user, project } = await setup();
    const lines = 20_000;
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i >= lines) return controller.close();
        const batch: string[] = [];
        for (let k = 0; k < 500 && i < lines; k++, i++)
          batch.push(JSON.stringify({ text: `streamed line ${i + 1} é😀` }));
        controller.enqueue(encoder.encode(`${batch.join("\n")}\n`));
      },
    });
    const res = await fetch(`${server.url}/api/projects/${project.id}/documents?name=stream.jsonl`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "application/x-ndjson" },
      body,
      duplex: "half",
    } as RequestInit);
    const result = await ok(res);
    expect(result.imported.count).toBe(lines);
    expect(result.imported.first).toHaveLength(IMPORT_RESULT_FIRST);
    expect(result.imported.first[0]!.name).toBe("stream-1");
    const reader = new ApiClient(server.url);
    reader.token = user.token;
    const last = await reader.get<DocumentListDto>(`${result.documents}&offset=${lines - 1}`);
    expect(last.total).toBe(lines);
    expect(last.documents.map((d) => d.name)).toEqual([`stream-${lines}`]);
    expect((await stored(last.documents[0]!.id)).text).toBe(`streamed line ${lines} é😀`);
  });

  it("text/plain and text/csv bodies are one file each, named by ?name=", async () => {
    const { api, project } = await setup();
    const txt = await ok(
      await api.request(
        "POST",
        `/api/projects/${project.id}/documents?name=Speech.txt`,
        fixture("crlf.txt"),
        {
          "content-type": "text/plain; charset=utf-8",
        },
      ),
    );
    expect(txt.imported.first.map((d) => d.name)).toEqual(["Speech"]);
    expect((await stored(txt.imported.first[0]!.id)).bytes.equals(fixture("crlf.txt"))).toBe(true);
    const csv = await ok(
      await api.request("POST", `/api/projects/${project.id}/documents`, fixture("docs.csv"), {
        "content-type": "text/csv",
      }),
    );
    expect(csv.imported.count).toBe(3);
  });
});

describe("import: the answer is a summary", () => {
  it("300 documents with 30 duplicates: counts, the first 20 of each, and every document across pages of ?importId=", async () => {
    const { api, project } = await setup();
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify({ name: `s${i}`, text: `summary text ${i}` }));
    // every 10th line repeats an earlier one: skipped, naming the document it duplicates
    for (let i = 9; i < 300; i += 10)
      lines[i] = JSON.stringify({ name: `dup${i}`, text: `summary text ${i - 9}` });
    const result = await ok(
      await importFiles(api, project.id, [["summary.jsonl", Buffer.from(lines.join("\n"))]]),
    );
    expect(result.imported.count).toBe(270);
    expect(result.skipped.count).toBe(30);
    expect(result.imported.first).toHaveLength(IMPORT_RESULT_FIRST);
    expect(result.skipped.first).toHaveLength(IMPORT_RESULT_FIRST);
    const importedNames = lines
      .map((l) => (JSON.parse(l) as { name: string }).name)
      .filter((n) => !n.startsWith("dup"));
    expect(result.imported.first.map((d) => d.name)).toEqual(importedNames.slice(0, IMPORT_RESULT_FIRST));
    expect(result.skipped.first[0]).toEqual({
      name: "dup9",
      sha256: sha256("summary text 0"),
      existingId: result.imported.first[0]!.id,
      source: "summary.jsonl:10",
    });
    expect(result.documents).toBe(`/api/projects/${project.id}/documents?importId=${result.importId}`);

    // the whole list, a page of 100 at a time; the document that was there before is not in it
    const listed: DocumentListDto["documents"] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await api.get<DocumentListDto>(`${result.documents}&limit=100&offset=${offset}`);
      expect(page.total).toBe(270);
      listed.push(...page.documents);
      if (page.documents.length < 100) break;
    }
    expect(listed.map((d) => d.name)).toEqual(importedNames);
    expect(listed.slice(0, IMPORT_RESULT_FIRST).map((d) => d.id)).toEqual(
      result.imported.first.map((d) => d.id),
    );
    expect(await countOf(project.id)).toBe(271);

    // a second import is its own list; an import of only duplicates lists nothing
    const again = await ok(
      await importFiles(api, project.id, [["again.jsonl", Buffer.from(lines.slice(0, 5).join("\n"))]]),
    );
    expect(again.importId).not.toBe(result.importId);
    expect(again).toMatchObject({ imported: { count: 0, first: [] }, skipped: { count: 5 } });
    const none = await api.get<DocumentListDto>(again.documents);
    expect(none).toEqual({ documents: [], total: 0 });
  });
});

describe("import: duplicates", () => {
  it("skips texts already in the project or repeated in the same import, and reports them", async () => {
    const { api, project } = await setup();
    const bytes = fixture("plain.txt");
    const first = await ok(
      await importFiles(api, project.id, [
        ["plain.txt", bytes],
        ["copy.txt", bytes],
      ]),
    );
    expect(first.imported.count).toBe(1);
    const id = first.imported.first[0]!.id;
    expect(first.skipped.first).toEqual([
      { name: "copy", sha256: sha256(bytes), existingId: id, source: "copy.txt:1" },
    ]);

    const again = await api.json<ImportResultDto>(
      "POST",
      `/api/projects/${project.id}/documents`,
      { documents: [{ text: bytes.toString("utf8"), name: "again" }, { text: "something new" }] },
      201,
    );
    expect(again.imported.first.map((d) => d.name)).toEqual(["document-2"]);
    expect(again.skipped.first).toEqual([
      { name: "again", sha256: sha256(bytes), existingId: id, source: "body documents.0" },
    ]);
  });

  it("the same text in another project is not a duplicate", async () => {
    const a = await setup();
    const b = await setup();
    const bytes = fixture("plain.txt");
    await ok(await importFiles(a.api, a.project.id, [["plain.txt", bytes]]));
    const res = await ok(await importFiles(b.api, b.project.id, [["plain.txt", bytes]]));
    expect(res.imported.count).toBe(1);
  });
});

describe("import: bad input → 400 naming file and line, nothing stored", () => {
  const cases: Array<{
    title: string;
    file: string;
    line: number | null;
    field?: string;
    reason: RegExp;
    bytes?: Buffer;
  }> = [
    { title: "invalid UTF-8", file: "invalid-utf8.txt", line: 2, reason: /invalid UTF-8.*0xe9/ },
    { title: "a broken JSONL line", file: "broken.jsonl", line: 2, reason: /not valid JSON/ },
    {
      title: "a JSONL line that is not an object",
      file: "not-object.jsonl",
      line: 2,
      reason: /expected an object/,
    },
    { title: "an empty text in JSONL", file: "empty-text.jsonl", line: 2, field: "text", reason: /empty/ },
    {
      title: "a CSV without a text column",
      file: "no-text-column.csv",
      line: 1,
      field: "text",
      reason: /no "text" column/,
    },
    { title: "an empty text in CSV", file: "empty-text.csv", line: 3, field: "text", reason: /empty/ },
    { title: "a stray quote in CSV", file: "bad-quote.csv", line: 3, reason: /quote/ },
    { title: "an unclosed CSV quote", file: "unclosed.csv", line: 2, reason: /never closed/ },
    { title: "an empty .txt", file: "empty.txt", line: 1, field: "text", reason: /empty/ },
    {
      title: "a whitespace-only .txt",
      file: "blank.txt",
      line: 1,
      field: "text",
      reason: /only whitespace/,
      bytes: Buffer.from(" \r\n\t\n"),
    },
    {
      title: "a BOM that is not at the start of the file (JSONL line 2)",
      file: "inner-bom.jsonl",
      line: 2,
      reason: /not valid JSON/,
      bytes: Buffer.concat([Buffer.from('{"text":"a"}\n'), BOM, Buffer.from('{"text":"b"}\n')]),
    },
    {
      title: "a lone surrogate escaped in JSONL",
      file: "surrogate.jsonl",
      line: 1,
      field: "text",
      reason: /lone surrogate/,
      bytes: Buffer.from('{"text":"half a pair: \\ud83d"}\n'),
    },
    {
      title: "an unsupported file type",
      file: "notes.md",
      line: null,
      reason: /unsupported file type/,
      bytes: Buffer.from("# hi\n"),
    },
  ];

  for (const c of cases) {
    it(c.title, async () => {
      const { api, project } = await setup();
      const before = await rowsOf(project.id);
      // a good file first: it must not be stored either
      const res = await importFiles(api, project.id, [
        ["good.txt", Buffer.from(`good file for ${c.file}`)],
        [c.file, c.bytes ?? fixture(c.file)],
      ]);
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe("invalid_import");
      expect(error.details).toMatchObject({
        file: c.file,
        line: c.line,
        ...(c.field ? { field: c.field } : {}),
      });
      expect(error.details.reason).toMatch(c.reason);
      expect(error.message).toContain(c.line === null ? c.file : `${c.file}:${c.line}`);
      expect(await rowsOf(project.id)).toEqual(before);
    });
  }

  it("a document over maxDocumentBytes (txt and JSONL) is refused", async () => {
    const small = await startServer({ config: { maxDocumentBytes: 64 } });
    try {
      const user = await addUser(small.store);
      const project = await addProject(small.store, { members: [{ user, role: "manager" }] });
      const api = new ApiClient(small.url);
      api.token = user.token;
      const count = async () => (await documentsIn(small.store, project.id)).length;
      const big = "x".repeat(40);
      const txt = await importFiles(api, project.id, [["big.txt", Buffer.from(`${big}\n${big}\n`)]]);
      expect(txt.status).toBe(400);
      expect((await errorOf(txt)).details).toMatchObject({ file: "big.txt", line: 2, field: "text" });
      const lines = `${JSON.stringify({ text: "fits" })}\n${JSON.stringify({ text: "é".repeat(33) })}\n`;
      const jsonl = await importFiles(api, project.id, [["big.jsonl", Buffer.from(lines)]]);
      const err = await errorOf(jsonl);
      expect(err.details).toMatchObject({ file: "big.jsonl", line: 2, field: "text" });
      expect(err.details.reason).toMatch(/66 bytes, over the limit of 64/);
      expect(await count()).toBe(0);
    } finally {
      await small.close();
    }
  });

  it("JSON body: an empty text is named by its field path, nothing stored", async () => {
    const { api, project } = await setup();
    const before = await rowsOf(project.id);
    const res = await api.request("POST", `/api/projects/${project.id}/documents`, {
      documents: [{ text: "fine" }, { text: "" }],
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.details).toMatchObject({ file: "body", line: null, field: "documents.1.text" });
    expect(error.message).toContain("body (documents.1.text)");
    expect(await rowsOf(project.id)).toEqual(before);
  });

  it("JSON body: a missing text, a lone surrogate, malformed JSON, an empty list", async () => {
    const { api, project } = await setup();
    const before = await rowsOf(project.id);
    const url = `/api/projects/${project.id}/documents`;
    const missing = await errorOf(await api.request("POST", url, { documents: [{ name: "no text" }] }));
    expect(missing.details).toMatchObject({ file: "body", field: "documents.0.text" });
    const lone = await errorOf(await api.request("POST", url, { documents: [{ text: "a\ud800b" }] }));
    expect(lone.details.reason).toMatch(/lone surrogate/);
    const bad = await api.request("POST", url, '{"documents": [', { "content-type": "application/json" });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/not valid JSON/);
    const empty = await api.request("POST", url, { documents: [] });
    expect(empty.status).toBe(400);
    expect(await rowsOf(project.id)).toEqual(before);
  });

  it("a streamed NDJSON body with invalid UTF-8 names ?name= and the line", async () => {
    const { api, project } = await setup();
    const before = await rowsOf(project.id);
    const body = Buffer.concat([
      Buffer.from('{"text":"ok"}\n{"text":"ok 2"}\n{"text":"bad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]);
    const res = await api.request("POST", `/api/projects/${project.id}/documents?name=feed.ndjson`, body, {
      "content-type": "application/x-ndjson",
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toMatchObject({ file: "feed.ndjson", line: 3 });
    expect(await rowsOf(project.id)).toEqual(before);
  });

  it("an unsupported Content-Type is 415; a multipart upload without files is 400", async () => {
    const { api, project } = await setup();
    const url = `/api/projects/${project.id}/documents`;
    const xml = await api.request("POST", url, "<doc/>", { "content-type": "application/xml" });
    expect(xml.status).toBe(415);
    const fd = new FormData();
    fd.append("note", "no files here");
    const none = await api.request("POST", url, fd);
    expect(none.status).toBe(400);
    expect((await errorOf(none)).message).toMatch(/No files/);
  });
});

describe("import: authorisation and audit", () => {
  it("anonymous 401, non-member 404, annotator and curator 403 (nothing stored); admin 201", async () => {
    const { project } = await setup();
    const annotator = await addUser(store);
    const curator = await addUser(store);
    const stranger = await addUser(store);
    const admin = await addUser(store, { admin: true });
    await call(store, function* (s) {
      yield* run(
        s.q.insert(s.t.projectMembers).values([
          { projectId: project.id, userId: annotator.id, role: "annotator" },
          { projectId: project.id, userId: curator.id, role: "curator" },
        ]),
      );
    });
    const before = await rowsOf(project.id);
    const body = { documents: [{ text: "authorised?" }] };
    const as = (u: { cookie: string } | null) => {
      const api = new ApiClient(server.url);
      api.cookie = u?.cookie ?? null;
      return api.request("POST", `/api/projects/${project.id}/documents`, body);
    };
    expect((await as(null)).status).toBe(401);
    expect((await as(stranger)).status).toBe(404);
    expect((await as(annotator)).status).toBe(403);
    expect((await as(curator)).status).toBe(403);
    expect(await rowsOf(project.id)).toEqual(before);
    expect((await as(admin)).status).toBe(201);
    const missing = new ApiClient(server.url);
    missing.cookie = admin.cookie;
    expect((await missing.request("POST", "/api/projects/999999/documents", body)).status).toBe(404);
  });

  it("writes one audit entry per import with the counts", async () => {
    const { api, project, user } = await setup();
    await ok(
      await importFiles(api, project.id, [
        ["plain.txt", fixture("plain.txt")],
        ["again.txt", fixture("plain.txt")],
      ]),
    );
    const entries = await call(store, function* (s) {
      const { auditLog } = s.t;
      return yield* all(
        s.q
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.projectId, project.id), eq(auditLog.action, "documents.import"))),
      );
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.userId).toBe(user.id);
    expect(entries[0]!.details).toEqual({
      via: "api",
      importId: expect.any(Number),
      files: ["plain.txt", "again.txt"],
      imported: 1,
      skipped: 1,
    });
  });
});

/** A chunked POST with the session of `cookie` (see postChunked). */
async function postStream(
  base: string,
  path: string,
  cookie: string,
  contentType: string,
  total: number,
  piece: (i: number) => Uint8Array,
): Promise<Response> {
  const headers = { cookie, origin: base, "content-type": contentType };
  // A server that refuses a body closes the connection once it answered; when that close reaches the
  // client as a reset before the answer was read (TCP discards what a reset overtakes), the refusal shows
  // as "socket hang up". Asked again (at most twice more), the 413 itself must come back.
  for (let attempt = 0; ; attempt++) {
    try {
      return (await postChunked(base + path, headers, total, piece)).res;
    } catch (err) {
      if (attempt === 2 || !/socket hang up|ECONNRESET|EPIPE/.test(String(err))) throw err;
    }
  }
}

describe("import: limits, enforced while the body streams (413 payload_too_large, nothing stored)", () => {
  const KiB = 1024;
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startServer({
      config: { maxUploadBytes: 256 * KiB, maxJsonImportBytes: 64 * KiB, maxBodyBytes: 16 * KiB },
    });
  });
  afterAll(() => limited.close());

  async function setupLimited() {
    const user = await addUser(limited.store);
    const project = await addProject(limited.store, { members: [{ user, role: "manager" }] });
    const api = new ApiClient(limited.url);
    api.cookie = user.cookie;
    const count = async () => (await documentsIn(limited.store, project.id)).length;
    return { user, project, api, count };
  }
  const line = (i: number) =>
    new TextEncoder().encode(`${JSON.stringify({ text: `document ${i} ${"x".repeat(1000)}` })}\n`);

  async function expectTooLarge(res: Response, setting: string) {
    const body = await res.text();
    expect(res.status, body).toBe(413);
    const error = (JSON.parse(body) as ApiErrorBody).error as { code: string; message: string };
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toContain(setting);
    expect(error.message).toContain("256 KiB");
    return error;
  }

  it("a chunked NDJSON body over GLOSS_MAX_UPLOAD_BYTES is refused while it streams, naming the file", async () => {
    const { user, project, count } = await setupLimited();
    const res = await postStream(
      limited.url,
      `/api/projects/${project.id}/documents?name=feed.ndjson`,
      user.cookie,
      "application/x-ndjson",
      4 * 1024 * KiB,
      line,
    );
    const error = await expectTooLarge(res, "GLOSS_MAX_UPLOAD_BYTES");
    expect(error.message).toContain("feed.ndjson");
    expect(await count()).toBe(0);
    // the server is still up, and a small import still works
    expect((await fetch(`${limited.url}/api/health`)).status).toBe(200);
  });

  it("a chunked multipart upload over the limit is refused at the file that passes it; nothing stored", async () => {
    const { user, project, api, count } = await setupLimited();
    const fd = form([
      ["small.txt", Buffer.from("A small document.")],
      ["big.jsonl", Buffer.concat(Array.from({ length: 400 }, (_, i) => line(i)))],
    ]);
    const encoded = new Response(fd);
    const contentType = encoded.headers.get("content-type")!;
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const res = await postStream(
      limited.url,
      `/api/projects/${project.id}/documents`,
      user.cookie,
      contentType,
      bytes.length,
      (i) => bytes.subarray(i * 16 * KiB, (i + 1) * 16 * KiB),
    );
    const error = await expectTooLarge(res, "GLOSS_MAX_UPLOAD_BYTES");
    expect(error.message).toContain("big.jsonl");
    expect(await count()).toBe(0);
    // under the limit, the same reader imports it
    await ok(await importFiles(api, project.id, [["small.txt", Buffer.from("A small document.")]]));
    expect(await count()).toBe(1);
  });

  it("a JSON body over GLOSS_MAX_JSON_IMPORT_BYTES: chunked, or declared by Content-Length", async () => {
    const { user, project, api, count } = await setupLimited();
    const docs = Array.from({ length: 100 }, (_, i) => ({ text: `document ${i} ${"x".repeat(1000)}` }));
    const json = new TextEncoder().encode(JSON.stringify({ documents: docs }));
    const chunkedRes = await postStream(
      limited.url,
      `/api/projects/${project.id}/documents`,
      user.cookie,
      "application/json",
      json.length,
      (i) => json.subarray(i * 4096, (i + 1) * 4096),
    );
    expect(chunkedRes.status).toBe(413);
    expect((await errorOf(chunkedRes)).message).toContain("GLOSS_MAX_JSON_IMPORT_BYTES");
    const declared = await api.request("POST", `/api/projects/${project.id}/documents`, {
      documents: docs,
    });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe("payload_too_large");
    expect(await count()).toBe(0);
  });

  it("an ordinary JSON route is bounded by GLOSS_MAX_BODY_BYTES, chunked or not; a small chunked body still works", async () => {
    const { user, api } = await setupLimited();
    const big = { name: "p", description: "x".repeat(64 * KiB) };
    const declared = await api.request("POST", "/api/projects", big);
    expect(declared.status).toBe(413);
    const error = await errorOf(declared);
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toContain("GLOSS_MAX_BODY_BYTES");
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const chunkedRes = await postStream(
      limited.url,
      "/api/projects",
      user.cookie,
      "application/json",
      bytes.length,
      (i) => bytes.subarray(i * 1024, (i + 1) * 1024),
    );
    expect(chunkedRes.status).toBe(413);
    expect((await errorOf(chunkedRes)).code).toBe("payload_too_large");
    const small = new TextEncoder().encode(JSON.stringify({ name: "Streamed project" }));
    const created = await postStream(
      limited.url,
      "/api/projects",
      user.cookie,
      "application/json",
      small.length,
      (i) => small.subarray(i * 8, (i + 1) * 8),
    );
    expect(created.status, await created.clone().text()).toBe(201);
  });
});

describe("import parsers: chunk boundaries anywhere", () => {
  /** Splits bytes into chunks of the given size (1 byte cuts through every CRLF and UTF-8 sequence). */
  const chunked = (bytes: Uint8Array, size: number) =>
    (async function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })();
  /** A request whose body arrives in exactly those chunks. */
  const asRequest = (chunks: AsyncIterable<Uint8Array>, contentType: string) =>
    new Request("http://gloss.test/upload", {
      method: "POST",
      headers: { "content-type": contentType },
      body: (ReadableStream as unknown as { from(it: AsyncIterable<Uint8Array>): ReadableStream }).from(
        chunks,
      ),
      duplex: "half",
    } as RequestInit);
  const unlimited = { max: Number.MAX_SAFE_INTEGER, setting: "none" };

  it("the multipart reader gives every part back whole, whatever the chunking", async () => {
    const files: Array<[string, Buffer]> = [
      ["a.txt", fixture("crlf.txt")],
      ["b.jsonl", fixture("docs.jsonl")],
      // content that looks like the start of a delimiter must pass through
      ["tricky.txt", Buffer.from("line\r\n--not-the-boundary\r\n-\r\n--\r\n\u{1F600}")],
      ['quo"te.csv', fixture("docs.csv")],
    ];
    const encoded = new Response(form(files));
    const contentType = encoded.headers.get("content-type")!;
    const body = new Uint8Array(await encoded.arrayBuffer());
    for (const size of [1, 2, 5, 64, 100_000]) {
      const got: Array<[string | null, Buffer]> = [];
      await readMultipart(asRequest(chunked(body, size), contentType), unlimited, async (part, bytes) => {
        const parts: Buffer[] = [];
        for await (const c of bytes) parts.push(Buffer.from(c));
        got.push([part.filename, Buffer.concat(parts)]);
      });
      expect(got.map(([n]) => n)).toEqual(files.map(([n]) => n));
      for (const [i, [, bytes]] of got.entries()) {
        expect(bytes.equals(files[i]![1]), `part ${i}, chunk ${size}`).toBe(true);
      }
    }
  });

  it("a multipart body cut off before its closing boundary is a 400", async () => {
    const encoded = new Response(form([["a.txt", Buffer.from("abc")]]));
    const contentType = encoded.headers.get("content-type")!;
    const body = new Uint8Array(await encoded.arrayBuffer());
    await expect(
      readMultipart(
        asRequest(chunked(body.subarray(0, body.length - 10), 7), contentType),
        unlimited,
        async () => {},
      ),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("txt, JSONL and CSV parsers give the same documents fed one byte at a time", async () => {
    const parse = async (file: string, format: "txt" | "jsonl" | "csv", size: number) => {
      const docs: Array<{ name: string; text: string; meta: string }> = [];
      const parser = createParser(format, {
        file,
        stem: file.replace(/\..*$/, ""),
        maxDocumentBytes: 1024 * 1024,
        sink: (d) => docs.push({ name: d.name, text: d.text, meta: d.meta }),
      });
      for await (const c of chunked(fixture(file), size)) parser.push(c);
      parser.end();
      return docs;
    };
    for (const [file, format] of [
      ["emoji.txt", "txt"],
      ["crlf.txt", "txt"],
      ["bom.txt", "txt"],
      ["docs-crlf.ndjson", "jsonl"],
      ["docs.jsonl", "jsonl"],
      ["docs.csv", "csv"],
    ] as const) {
      const whole = await parse(file, format, 1 << 20);
      expect(whole.length, file).toBeGreaterThan(0);
      expect(await parse(file, format, 1), file).toEqual(whole);
      expect(await parse(file, format, 3), file).toEqual(whole);
    }
  });
});
