/**
 * `pnpm bench:curation`: a project's curation listing (GET /api/projects/:id/curation) at 10,000 documents ×
 * 3 annotators × 20 spans, from a real server over a real SQLite file. (The annotator layers are seeded into
 * the projection only, as bench:agreement does; gold is left empty, since rows written there without a Yjs
 * state would be undone by the first load of a gold room.)
 * Prints the cold listing (every document's summary computed from the projection), warm pages across the
 * project, filtered and sorted pages, a listing after one document changed, the rooms opened meanwhile (the
 * target: none), and what a live editor would feel during the cold one: the event loop's worst lateness and
 * the slowest health probe due every 20 ms (target ≤ 50 ms). The page target: < 200 ms.
 *
 *   npx tsx bench/curation.ts [--documents 10000] [--annotators 3] [--spans 20] [--runs 5]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { testConfig } from "../server/src/env";
import { startGloss } from "../server/src/server";
import type { ProjectCurationDto } from "../shared/src/curation/api";
import { seedAnnotatedProject } from "./lib/annotatedProject";
import { type Probed, probedRequest } from "./lib/probe";
import { median } from "./lib/stats";

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DOCUMENTS = opt("documents", 10_000);
const ANNOTATORS = opt("annotators", 3);
const SPANS = opt("spans", 20);
const RUNS = Math.max(1, Math.min(20, opt("runs", 5)));
const PAGE_TARGET_MS = 200;
const PROBE_TARGET_MS = 50;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-bench-curation-"));
try {
  const file = path.join(dir, "gloss.db");
  const cookie = seedAnnotatedProject(file, { documents: DOCUMENTS, annotators: ANNOTATORS, spans: SPANS });
  const gloss = await startGloss(testConfig({ dataDir: dir, dbFile: file, logLevel: "error" }));
  const sqlite = gloss.db.$client;
  const body = path.join(dir, "body.json");
  const list = (query: string) => probedRequest(gloss.url, `/api/projects/1/curation${query}`, cookie, body);
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
    const shapes: Array<[string, string]> = [
      ["first page", "?limit=100"],
      ["middle page", `?limit=100&offset=${Math.floor(first.total / 2)}`],
      ["last page", `?limit=100&offset=${Math.max(0, first.total - 100)}`],
      ["search in names", "?q=doc-12&limit=100"],
      ["open only, most open first", "?open=true&sort=open&limit=100"],
      ["by name, page 10", "?sort=name&limit=100&offset=900"],
    ];
    const samples = new Map<string, number[]>(shapes.map(([name]) => [name, []]));
    let worstProbe = 0;
    // interleaved: every shape once per round, so the machine's drift hits them alike
    for (let run = 0; run < RUNS; run++)
      for (const [name, query] of shapes) {
        const r = await list(query);
        samples.get(name)!.push(r.ms);
        worstProbe = Math.max(worstProbe, r.probeMs);
      }
    for (const [name, query] of shapes) {
      const xs = samples.get(name)!;
      console.log(
        `  warm ${name.padEnd(28)} median ${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))}) over ${xs.length}  ${query}`,
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
