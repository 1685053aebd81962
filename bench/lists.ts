/**
 * `pnpm bench:lists`: the lists that grow with a project — the curation listing (GET /api/projects/:id/curation)
 * above all, and the documents (with a search in names and texts), assignments and an annotator's queue — at
 * 10,000 documents × 3 annotators × 20 spans, each annotator assigned to every document, from a real server
 * over a real SQLite file. (The annotator layers are seeded into
 * the projection only, as bench:agreement does; gold is left empty, since rows written there without a Yjs
 * state would be undone by the first load of a gold room.)
 * Prints the cold curation listing (every document's summary computed from the projection), warm pages of
 * every list (interleaved rounds, medians), a curation listing after one document changed, the rooms opened
 * meanwhile (the target: none), and what a live editor would feel: the event loop's worst lateness and the
 * slowest health probe due every 20 ms (target ≤ 50 ms). The page target: < 200 ms.
 *
 *   npx tsx bench/lists.ts [--documents 10000] [--annotators 3] [--spans 20] [--runs 5]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSession, SESSION_COOKIE } from "../server/src/auth/sessions";
import { callSync } from "../server/src/db/store";
import { testConfig } from "../server/src/env";
import { startGloss } from "../server/src/server";
import type { ProjectCurationDto } from "../shared/src/curation/api";
import { seedAnnotatedProject } from "./lib/annotatedProject";
import { benchOptions } from "./lib/options";
import { type Probed, probedRequest } from "./lib/probe";
import { median } from "./lib/stats";

const o = benchOptions({ numbers: { documents: 10_000, annotators: 3, spans: 20, runs: 5 } });
const DOCUMENTS = o.documents;
const ANNOTATORS = o.annotators;
const SPANS = o.spans;
const RUNS = Math.max(1, Math.min(20, o.runs));
const PAGE_TARGET_MS = 200;
const PROBE_TARGET_MS = 50;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-lists-"));
try {
  const file = path.join(dir, "gloss.db");
  const cookie = seedAnnotatedProject(file, { documents: DOCUMENTS, annotators: ANNOTATORS, spans: SPANS });
  const gloss = await startGloss(testConfig({ dataDir: dir, dbFile: file, logLevel: "error" }));
  const sqlite = gloss.db.$client;
  // the annotators are members, each assigned to every document; the first one has a session (their queue)
  const assigned = performance.now();
  sqlite.exec(`INSERT INTO project_members (project_id, user_id, role)
    SELECT 1, id, 'annotator' FROM users WHERE username LIKE 'annotator%'`);
  sqlite.exec(`INSERT INTO assignments (document_id, user_id)
    SELECT d.id, u.id FROM documents d, users u WHERE u.username LIKE 'annotator%'`);
  const annotator = Number(
    (sqlite.prepare("SELECT id FROM users WHERE username = 'annotator1'").get() as { id: number }).id,
  );
  const annotatorCookie = `${SESSION_COOKIE}=${callSync(gloss.db, createSession, annotator).value}`;
  console.log(
    `assignments of every annotator to every document in ${((performance.now() - assigned) / 1000).toFixed(1)} s`,
  );
  const body = path.join(dir, "body.json");
  const get = (p: string, as = cookie) => probedRequest(gloss.url, p, as, body);
  const list = (query: string) => get(`/api/projects/1/curation${query}`);
  const page = (p: Probed) => JSON.parse(p.body) as ProjectCurationDto;
  // every room a request opens goes through withDoc: count them (the listing must open none)
  const collab = gloss.deps.collab;
  const withDoc = collab.withDoc.bind(collab);
  let roomsOpened = 0;
  collab.withDoc = ((...a: Parameters<typeof withDoc>) => {
    roomsOpened++;
    return withDoc(...a);
  }) as typeof collab.withDoc;
  const c0 = process.cpuUsage();
  try {
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const cold = await list("?limit=100");
    const first = page(cold);
    console.log(
      `cold listing (every summary computed): ${ms(cold.ms)}; event loop late by at most ${ms(cold.loopLagMs)}; ` +
        `slowest of ${cold.probes} health probes ${ms(cold.probeMs)} (target ≤ ${PROBE_TARGET_MS} ms)`,
    );
    console.log(
      `  ${first.total} documents, ${first.counts.open} open disagreements, next document ${first.nextDocumentId}; ` +
        `first page ${(cold.body.length / 1024).toFixed(0)} KB`,
    );
    const c = "/api/projects/1/curation";
    const shapes: Array<[string, string, string?]> = [
      ["curation, first page", `${c}?limit=100`],
      ["curation, middle page", `${c}?limit=100&offset=${Math.floor(first.total / 2)}`],
      ["curation, last page", `${c}?limit=100&offset=${Math.max(0, first.total - 100)}`],
      ["curation, search in names", `${c}?q=doc-12&limit=100`],
      ["curation, open, most open first", `${c}?open=true&sort=open&limit=100`],
      ["curation, by name, page 10", `${c}?sort=name&limit=100&offset=900`],
      ["documents, first page", "/api/projects/1/documents?limit=100"],
      ["documents, search in texts", "/api/projects/1/documents?q=surprised%20markets&limit=100"],
      ["assignments, middle page", `/api/projects/1/assignments?limit=100&offset=${first.total}`],
      ["queue of an annotator", "/api/projects/1/queue?limit=50", annotatorCookie],
    ];
    const samples = new Map<string, number[]>(shapes.map(([name]) => [name, []]));
    let worstProbe = 0;
    // interleaved: every shape once per round, so the machine's drift hits them alike
    for (let run = 0; run < RUNS; run++)
      for (const [name, p, as] of shapes) {
        const r = await get(p, as);
        samples.get(name)!.push(r.ms);
        worstProbe = Math.max(worstProbe, r.probeMs);
      }
    for (const [name, p] of shapes) {
      const xs = samples.get(name)!;
      console.log(
        `  warm ${name.padEnd(32)} median ${ms(median(xs)).padStart(7)} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))}) over ${xs.length}  ${p}`,
      );
    }
    // one annotator span changes: the triggers drop that document's summary; the next listing recomputes it
    sqlite
      .prepare(`UPDATE annotations SET label_id = label_id WHERE document_id = 1 AND layer LIKE 'user-%'`)
      .run();
    const changed = await list("?limit=100");
    console.log(`after one document changed: ${ms(changed.ms)}`);
    const warmMedian = Math.max(...[...samples.values()].map(median));
    console.log(`rooms opened while listing: ${roomsOpened} (target 0)`);
    const cpu = process.cpuUsage(c0);
    console.log(
      `server CPU over all ${2 + RUNS * shapes.length} requests: ${ms((cpu.user + cpu.system) / 1000)}`,
    );
    console.log(
      `load average while measuring: ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
    );
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    console.log(
      warmMedian <= PAGE_TARGET_MS
        ? `every warm page within ${PAGE_TARGET_MS} ms (slowest median ${ms(warmMedian)})`
        : `a warm page OVER ${PAGE_TARGET_MS} ms (slowest median ${ms(warmMedian)})`,
    );
    console.log(
      Math.max(cold.probeMs, worstProbe) <= PROBE_TARGET_MS
        ? `probes within ${PROBE_TARGET_MS} ms`
        : `probes OVER ${PROBE_TARGET_MS} ms (cold ${ms(cold.probeMs)}, warm ${ms(worstProbe)})`,
    );
  } finally {
    await gloss.close();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
