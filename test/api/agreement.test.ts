/**
 * GET /api/projects/:id/agreement over a seeded project: the projection rows (`annotations`,
 * `layer_states`) are inserted directly, as the collaboration layer would project them. Figures are checked
 * against independent brute-force computations written here; filters, errors, authorisation, and the
 * `gloss agreement` CLI on the same database file.
 */
import { call, run, type Store } from "@gloss/server/db/store";
import { type AgreementReport, type ApiErrorBody, tokenize } from "@gloss/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededUser } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let db: Store;
beforeAll(async () => {
  server = await startServer({ file: true });
  db = server.store;
});
afterAll(() => server.close());

const clientOf = (u: SeededUser | null) => {
  const api = new ApiClient(server.url);
  api.cookie = u?.cookie ?? null;
  return api;
};

type Span = [start: number, end: number, label: string];
const TEXT1 = "The minister said the economy will grow, but critics denied it.";
const TEXT2 = "Experts speculate that prices may rise again next year.";
const TEXT3 = "Nobody else read this one.";

/** Inserts a layer's spans into the projection. */
async function project(
  p: { id: number; labels: Array<{ id: number; name: string }> },
  documentId: number,
  layer: string,
  spans: Span[],
) {
  await call(db, function* (s) {
    yield* run(
      s.q.insert(s.t.annotations).values(
        spans.map(([start, end, label], i) => ({
          projectId: p.id,
          documentId,
          layer,
          spanId: `${layer}-${documentId}-${i}`,
          start,
          end,
          labelId: p.labels.find((l) => l.name === label)!.id,
          createdAt: Date.now(),
        })),
      ),
    );
  });
}

/**
 * A project with two annotators who disagree on document 1 (a label mismatch and a boundary mismatch),
 * agree on document 2, and of whom only the first did document 3; plus a gold layer on document 1.
 */
async function world() {
  const manager = await addUser(db);
  const curator = await addUser(db);
  const a1 = await addUser(db);
  const a2 = await addUser(db);
  const outsider = await addUser(db);
  const p = await addProject(db, {
    members: [
      { user: manager, role: "manager" },
      { user: curator, role: "curator" },
      { user: a1, role: "annotator" },
      { user: a2, role: "annotator" },
    ],
  });
  const d1 = await addDocument(db, p.id, TEXT1, { name: "disputed", assignTo: [a1, a2] });
  const d2 = await addDocument(db, p.id, TEXT2, { name: "agreed", assignTo: [a1, a2] });
  const d3 = await addDocument(db, p.id, TEXT3, { name: "single", assignTo: [a1] });
  const layers: Record<string, Record<number, Span[]>> = {
    [`user-${a1.id}`]: {
      [d1.id]: [
        [0, 12, "attribution"],
        [18, 39, "claim"],
        [45, 52, "attribution"],
        [53, 62, "denial"],
      ],
      [d2.id]: [
        [0, 7, "attribution"],
        [23, 54, "speculation"],
      ],
      [d3.id]: [[0, 6, "claim"]],
    },
    [`user-${a2.id}`]: {
      [d1.id]: [
        [0, 12, "attribution"],
        [18, 39, "speculation"],
        [45, 62, "denial"],
      ],
      [d2.id]: [
        [0, 7, "attribution"],
        [23, 54, "speculation"],
      ],
    },
    gold: {
      [d1.id]: [
        [0, 12, "attribution"],
        [18, 39, "claim"],
        [53, 62, "denial"],
      ],
    },
  };
  for (const [layer, docs] of Object.entries(layers))
    for (const [docId, spans] of Object.entries(docs)) await project(p, Number(docId), layer, spans);
  return {
    manager,
    curator,
    a1,
    a2,
    outsider,
    p,
    d1,
    d2,
    d3,
    layers,
    texts: { [d1.id]: TEXT1, [d2.id]: TEXT2 },
  };
}

const get = (u: SeededUser, path: string) => clientOf(u).get<AgreementReport>(path);

// ---------- independent brute-force versions of the figures, for cross-checking ----------

/** Per-label overlap F1 of a against b: all overlapping same-label pairs, best IoU first, each span once. */
function bruteOverlapF1(pairs: Array<[Span[], Span[]]>, label: string) {
  let tp = 0;
  let na = 0;
  let nb = 0;
  for (const [a, b] of pairs) {
    const A = a.filter((s) => s[2] === label);
    const B = b.filter((s) => s[2] === label);
    na += A.length;
    nb += B.length;
    const cands: Array<[number, number, number]> = [];
    A.forEach((x, i) => {
      B.forEach((y, j) => {
        const inter = Math.min(x[1], y[1]) - Math.max(x[0], y[0]);
        if (inter > 0) cands.push([inter / (Math.max(x[1], y[1]) - Math.min(x[0], y[0])), i, j]);
      });
    });
    cands.sort((p, q) => q[0] - p[0]);
    const usedA = new Set<number>();
    const usedB = new Set<number>();
    for (const [, i, j] of cands)
      if (!usedA.has(i) && !usedB.has(j)) {
        usedA.add(i);
        usedB.add(j);
        tp++;
      }
  }
  return { tp, fp: na - tp, fn: nb - tp, value: (2 * tp) / (na + nb) };
}

/** α_U of one label by the definition, character by character, over documents coded by both layers. */
function bruteUnitizingAlpha(docs: Array<{ text: string; a: Span[]; b: Span[] }>, label: string) {
  type Section = { start: number; end: number; unit: boolean };
  const sections = (length: number, spans: Span[]): Section[] => {
    const covered = Array.from({ length }, (_, i) =>
      spans.some((s) => s[2] === label && s[0] <= i && i < s[1]),
    );
    const out: Section[] = [];
    for (let i = 0; i < length; i++) {
      const last = out[out.length - 1];
      if (last && last.unit === covered[i]) last.end = i + 1;
      else out.push({ start: i, end: i + 1, unit: covered[i]! });
    }
    return out;
  };
  const delta2 = (g: Section, h: Section) => {
    if (g.unit && h.unit && g.start < h.end && h.start < g.end)
      return (g.start - h.start) ** 2 + (g.end - h.end) ** 2;
    if (g.unit && !h.unit && h.start <= g.start && g.end <= h.end) return (g.end - g.start) ** 2;
    if (!g.unit && h.unit && g.start <= h.start && h.end <= g.end) return (h.end - h.start) ** 2;
    return 0;
  };
  let sumDelta = 0;
  let L = 0;
  const all: Section[] = [];
  for (const d of docs) {
    const sa = sections(d.text.length, d.a);
    const sb = sections(d.text.length, d.b);
    for (const g of sa) for (const h of sb) sumDelta += delta2(g, h);
    L += d.text.length;
    all.push(...sa, ...sb);
  }
  const m = 2;
  const dO = (2 * sumDelta) / (m * (m - 1) * L * L);
  const units = all.filter((s) => s.unit).map((s) => s.end - s.start);
  const gaps = all.filter((s) => !s.unit).map((s) => s.end - s.start);
  let num = 0;
  for (const l of units) {
    num += ((units.length - 1) * (2 * l ** 3 - 3 * l ** 2 + l)) / 3;
    for (const g of gaps) if (g >= l) num += l * l * (g - l + 1);
  }
  const dE = ((2 / L) * num) / (m * L * (m * L - 1) - units.reduce((s, l) => s + l * (l - 1), 0));
  return { dO, dE, value: 1 - dO / dE };
}

/** Cohen's kappa over tokens by the definition (longest covering span labels a token, else O). */
function bruteCohen(docs: Array<{ text: string; a: Span[]; b: Span[] }>) {
  const tag = (t: { start: number; end: number }, spans: Span[]) =>
    spans.filter((s) => s[0] < t.end && s[1] > t.start).sort((x, y) => y[1] - y[0] - (x[1] - x[0]))[0]?.[2] ??
    "O";
  const pairs = docs.flatMap((d) => tokenize(d.text).map((t) => [tag(t, d.a), tag(t, d.b)] as const));
  const n = pairs.length;
  const po = pairs.filter(([x, y]) => x === y).length / n;
  const cats = new Set(pairs.flat());
  let pe = 0;
  for (const c of cats)
    pe += (pairs.filter(([x]) => x === c).length / n) * (pairs.filter(([, y]) => y === c).length / n);
  return (po - pe) / (1 - pe);
}

describe("GET /api/projects/:id/agreement", () => {
  it("reports every figure with its counts; per-label figures match brute-force computations", async () => {
    const w = await world();
    const r = await get(w.manager, `/api/projects/${w.p.id}/agreement`);
    const l1 = `user-${w.a1.id}`;
    const l2 = `user-${w.a2.id}`;
    expect(r.annotators).toEqual([
      { layer: l1, userId: w.a1.id, username: w.a1.username, spans: 7, documents: 3 },
      { layer: l2, userId: w.a2.id, username: w.a2.username, spans: 5, documents: 2 },
    ]);
    expect(r.overall.documents).toEqual({ total: 3, compared: 2, singleCoder: 1 });
    // exact: the attribution in doc 1, both spans of doc 2; a1 has 6 spans there, a2 has 5
    expect(r.overall.f1Exact).toMatchObject({ tp: 3, fp: 3, fn: 2, precision: 0.5, recall: 0.6 });
    expect(r.overall.f1Exact.value).toBeCloseTo(6 / 11, 12);

    const pairs: Array<[Span[], Span[]]> = [w.d1.id, w.d2.id].map((d) => [
      w.layers[l1]![d]!,
      w.layers[l2]![d]!,
    ]);
    for (const label of ["claim", "denial", "attribution", "speculation"]) {
      const mine = r.perLabel.find((l) => l.name === label)!;
      const brute = bruteOverlapF1(pairs, label);
      expect(mine.f1Overlap).toMatchObject({ tp: brute.tp, fp: brute.fp, fn: brute.fn });
      expect(mine.f1Overlap.value).toBeCloseTo(brute.value, 12);
    }
    const docs = [w.d1.id, w.d2.id].map((d) => ({
      text: w.texts[d]!,
      a: w.layers[l1]![d]!,
      b: w.layers[l2]![d]!,
    }));
    const attribution = bruteUnitizingAlpha(docs, "attribution");
    const mine = r.perLabel.find((l) => l.name === "attribution")!.unitizingAlpha;
    expect(mine.dO).toBeCloseTo(attribution.dO, 12);
    expect(mine.dE).toBeCloseTo(attribution.dE, 12);
    expect(mine.value).toBeCloseTo(attribution.value, 12);
    expect(r.perPair).toHaveLength(1);
    expect(r.perPair[0]).toMatchObject({ a: l1, b: l2, documents: 2, labelMismatches: 1 });
    expect(r.perPair[0]!.cohenKappa.value).toBeCloseTo(bruteCohen(docs), 12);
    // two annotators: Cohen's mean is that pair's kappa
    expect(r.overall.cohenKappa).toMatchObject({ pairs: 1, value: r.perPair[0]!.cohenKappa.value });

    expect(r.perDocument.map((d) => d.name)).toEqual(["disputed", "agreed"]);
    expect(r.perDocument[1]).toMatchObject({ disagreement: 0, annotators: 2, spans: 4 });
    expect(r.perDocument[0]!.disagreement).toBeCloseTo(1 - 2 / 7, 12);
    const claim = r.confusion.labels.findIndex((l) => l.name === "claim");
    const speculation = r.confusion.labels.findIndex((l) => l.name === "speculation");
    expect(r.confusion.counts[claim]![speculation]).toBe(1);
    expect(r.confusion.top).toEqual([{ a: "claim", b: "speculation", count: 1 }]);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it("filters by labels (names or ids), documents, annotators and IoU", async () => {
    const w = await world();
    const base = `/api/projects/${w.p.id}/agreement`;
    const byName = await get(w.curator, `${base}?labels=claim,Denial`);
    expect(byName.perLabel.map((l) => l.name)).toEqual(["claim", "denial"]);
    const ids = w.p.labels.filter((l) => l.name === "claim" || l.name === "denial").map((l) => l.id);
    const byId = await get(w.curator, `${base}?labels=${ids.join(",")}`);
    expect(byId.overall).toEqual({ ...byName.overall });
    // a1: claim + denial in doc 1; a2: denial in doc 1 (its claim was speculation); doc 2 has none
    expect(byName.overall.f1Overlap).toMatchObject({ tp: 1, fp: 1, fn: 0 });

    // an empty list is no filter
    expect((await get(w.curator, `${base}?labels=&documents=`)).perLabel).toHaveLength(4);

    const agreed = await get(w.curator, `${base}?documents=${w.d2.id}`);
    expect(agreed.overall.documents.compared).toBe(1);
    for (const f of [
      agreed.overall.f1Exact,
      agreed.overall.cohenKappa,
      agreed.overall.krippendorffAlpha,
      agreed.overall.unitizingAlpha,
    ])
      expect(f.value).toBeCloseTo(1, 12);

    const strict = await get(w.curator, `${base}?minIou=0.9`);
    // denial [53,62) vs [45,62): IoU 9/17 < 0.9 is no longer an overlap match
    expect(strict.options.minIou).toBe(0.9);
    expect(strict.perLabel.find((l) => l.name === "denial")!.f1Overlap.tp).toBe(0);
    const loose = await get(w.curator, base);
    expect(loose.perLabel.find((l) => l.name === "denial")!.f1Overlap.tp).toBe(1);

    const one = await get(w.curator, `${base}?annotators=${w.a1.id}`);
    expect(one.annotators.map((a) => a.userId)).toEqual([w.a1.id]);
    expect(one.perPair).toEqual([]);
    expect(one.overall.krippendorffAlpha.value).toBeNull();
    expect(one.overall.krippendorffAlpha.reason).toBeTruthy();
  });

  it("compares an annotator against gold when asked for explicit layers", async () => {
    const w = await world();
    const r = await get(w.manager, `/api/projects/${w.p.id}/agreement?layers=user-${w.a1.id},gold`);
    expect(r.options.layers).toEqual([`user-${w.a1.id}`, "gold"]);
    expect(r.annotators[1]).toMatchObject({
      layer: "gold",
      userId: null,
      username: null,
      spans: 3,
      documents: 1,
    });
    // only document 1 has gold: a1 matches 3 of gold's 3 spans exactly and has one extra
    expect(r.perPair[0]!.f1Exact).toMatchObject({ tp: 3, fp: 1, fn: 0, precision: 0.75, recall: 1 });
  });

  it("counts a layer with a recorded status and no spans as taking part", async () => {
    const w = await world();
    const silent = await addUser(db);
    await call(db, function* (s) {
      yield* run(
        s.q.insert(s.t.layerStates).values({
          projectId: w.p.id,
          documentId: w.d2.id,
          layer: `user-${silent.id}`,
          status: "done",
          updatedAt: Date.now(),
        }),
      );
    });
    const r = await get(w.manager, `/api/projects/${w.p.id}/agreement`);
    expect(r.annotators.find((a) => a.userId === silent.id)).toMatchObject({ spans: 0, documents: 1 });
    const pair = r.perPair.find((p) => p.b === `user-${silent.id}` && p.a === `user-${w.a1.id}`)!;
    expect(pair.documents).toBe(1);
    expect(pair.f1Exact).toMatchObject({ tp: 0, fp: 2, fn: 0, value: 0 });
  });

  it("names what was wrong in a bad query", async () => {
    const w = await world();
    const other = await addProject(db, { members: [{ user: w.manager, role: "manager" }] });
    const foreign = await addDocument(db, other.id, "elsewhere");
    const api = clientOf(w.manager);
    const base = `/api/projects/${w.p.id}/agreement`;
    const bad = async (query: string) => {
      const res = await api.request("GET", `${base}?${query}`);
      expect(res.status).toBe(400);
      return ((await res.json()) as ApiErrorBody).error;
    };
    expect((await bad("labels=claim,rumour")).message).toContain('"rumour"');
    expect((await bad(`documents=${foreign.id}`)).message).toContain(String(foreign.id));
    expect((await bad("documents=abc")).message).toMatch(/^documents/);
    expect((await bad("layers=user-1,silver")).message).toMatch(/^layers/);
    expect((await bad("minIou=2")).message).toMatch(/^minIou/);
    expect((await bad(`annotators=${w.a1.id}&layers=gold`)).message).toMatch(/either/);
  });

  it("lets curators, managers and admins in; annotators get 403, everyone else 404 or 401", async () => {
    const w = await world();
    const admin = await addUser(db, { admin: true });
    const path = `/api/projects/${w.p.id}/agreement`;
    const status = async (u: SeededUser | null, p = path) => (await clientOf(u).request("GET", p)).status;
    expect(await status(w.manager)).toBe(200);
    expect(await status(w.curator)).toBe(200);
    expect(await status(admin)).toBe(200);
    expect(await status(w.a1)).toBe(403);
    expect(await status(w.outsider)).toBe(404);
    expect(await status(null)).toBe(401);
    expect(await status(w.manager, "/api/projects/999999/agreement")).toBe(404);
    expect(await status(w.manager, "/api/projects/abc/agreement")).toBe(400); // malformed id: invalid_input
    const token = new ApiClient(server.url);
    token.token = w.curator.token;
    expect((await token.request("GET", path)).status).toBe(200);
  });
});

describe("the report's document table pages", () => {
  it("limit/offset/q/sort cut pages of one report; every other figure is the whole report's", async () => {
    const w = await world();
    // 40 more documents, both annotators, from agreeing (i % 4 = 0) to disputed, named so that q and sort show
    for (let i = 0; i < 40; i++) {
      const d = await addDocument(db, w.p.id, `${TEXT1} (${i})`, {
        name: `${i % 3 === 0 ? "memo" : "note"}-${String(39 - i).padStart(2, "0")}`,
        assignTo: [w.a1, w.a2],
      });
      await project(w.p, d.id, `user-${w.a1.id}`, [[4, 12, "attribution"]]);
      await project(w.p, d.id, `user-${w.a2.id}`, [[4, 12 + (i % 4), i % 5 === 0 ? "claim" : "attribution"]]);
    }
    const path = `/api/projects/${w.p.id}/agreement`;
    const whole = await get(w.manager, `${path}?limit=1000`);
    const compared = whole.perDocument.length;
    expect(compared).toBe(42);
    expect((whole as AgreementReport & { total: number }).total).toBe(compared);
    const pages: AgreementReport["perDocument"] = [];
    for (let offset = 0; offset < compared; offset += 9) {
      const page = (await get(w.manager, `${path}?limit=9&offset=${offset}`)) as AgreementReport & {
        total: number;
      };
      expect(page.total).toBe(compared);
      expect({ ...page, perDocument: [], elapsedMs: 0 }).toEqual({ ...whole, perDocument: [], elapsedMs: 0 });
      pages.push(...page.perDocument);
    }
    expect(pages).toEqual(whole.perDocument);
    // most disputed first by default
    const d = whole.perDocument.map((x) => x.disagreement);
    expect(d).toEqual([...d].sort((a, b) => b - a));
    const byName = await get(w.manager, `${path}?sort=name&limit=5&offset=3`);
    expect(byName.perDocument.map((x) => x.name)).toEqual(
      whole.perDocument
        .map((x) => x.name)
        .sort()
        .slice(3, 8),
    );
    const byId = await get(w.manager, `${path}?sort=id&limit=1000`);
    expect(byId.perDocument.map((x) => x.documentId)).toEqual(
      whole.perDocument.map((x) => x.documentId).sort((a, b) => a - b),
    );
    const memos = (await get(w.manager, `${path}?q=MEMO&limit=1000`)) as AgreementReport & { total: number };
    expect(memos.perDocument.map((x) => x.name)).toEqual(
      whole.perDocument.filter((x) => x.name.includes("memo")).map((x) => x.name),
    );
    expect(memos.total).toBe(14);
    expect(memos.overall).toEqual(whole.overall);
    for (const bad of ["limit=0", "limit=1001", "offset=-1", "sort=f1"]) {
      const res = await clientOf(w.manager).request("GET", `${path}?${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });
});

describe("gloss agreement", () => {
  it("prints a table, or the API's report with --json, straight from the database", async () => {
    const w = await world();
    const table = await runCli(["agreement", String(w.p.id)], { dataDir: server.dataDir });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/span F1, exact \(micro\)\s+0\.545\s+tp 3, fp 3, fn 2/);
    expect(table.stdout).toMatch(/^claim\s+1\s+0\.000\s+0\.000\s+0\/1\/0/m);
    expect(table.stdout).toContain(`${w.a1.username} vs ${w.a2.username}`);
    expect(table.stdout).toContain("claim / speculation (1)");

    const json = await runCli(["agreement", String(w.p.id), "--json", "--labels", "claim,denial"], {
      dataDir: server.dataDir,
    });
    expect(json.code).toBe(0);
    const fromCli = JSON.parse(json.stdout) as AgreementReport;
    const fromApi = await get(w.manager, `/api/projects/${w.p.id}/agreement?labels=claim,denial`);
    // the CLI prints every document; the API a page of them with their total (all of them fit here)
    expect({ ...fromCli, elapsedMs: 0, total: fromCli.perDocument.length }).toEqual({
      ...fromApi,
      elapsedMs: 0,
    });

    const missing = await runCli(["agreement", "999999"], { dataDir: server.dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No project 999999");
    const bad = await runCli(["agreement", String(w.p.id), "--labels", "rumour"], {
      dataDir: server.dataDir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"rumour"');
  }, 120_000); // four child processes, each loading TypeScript through tsx
});
