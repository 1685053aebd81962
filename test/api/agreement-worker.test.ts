/**
 * GET /api/projects/:id/agreement off the event loop: a cold report on 10,000 documents × 3 annotators is
 * computed in the worker thread while live editors keep syncing (their updates' delivery delay is measured
 * through the same server); repeats come from the cache, concurrent requests share one computation, a span
 * added live invalidates, the worker's report is the in-thread one, and a failing worker is a 500.
 */
import { computeAgreement } from "@gloss/server/services/agreement/compute";
import { agreementService, reportPage } from "@gloss/server/services/agreement/service";
import { type AgreementReport, addSpan } from "@gloss/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CollabClient } from "../helpers/collab";
import { delaysWhile, type LargeProject, largeProject, liveRoom } from "../helpers/largeProject";
import { seedDocument } from "../helpers/seed";
import { startServer, type TestServer } from "../helpers/server";

/** The API's default page of the document table. */
const FIRST_PAGE = { limit: 100, offset: 0, sort: "disagreement" } as const;

/** The bound on a live update's delivery while a report is computed (it took 1.2 s on the main thread). */
const MAX_DELAY_MS = 250;

let server: TestServer;
const clients: CollabClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server?.close();
});

const world = (documents: number) => largeProject(server, documents);
type World = LargeProject;

const get = (w: World, query = "") =>
  fetch(`${server.url}/api/projects/${w.p.id}/agreement${query}`, { headers: { cookie: w.manager.cookie } });

describe("agreement off the event loop", () => {
  it("a cold report on 10,000 documents leaves live updates flowing (delivered within 250 ms)", async () => {
    server = await startServer({ file: true });
    const w = world(10_000);
    const room = await liveRoom(server, w, clients);
    // measured until the answer's headers arrive: reading 4 MB of body is this test's work, not the server's
    const d = await delaysWhile(room, w, () => get(w));
    expect(d.result.status).toBe(200);
    const report = (await d.result.json()) as AgreementReport;
    expect(report.overall.documents.compared).toBe(10_000);
    // what the report costs on the main thread (measured after, so its garbage is not collected during the
    // measurement): the bound only means something if this is far over it
    const t0 = performance.now();
    computeAgreement(server.db, w.p.id, {});
    const mainMs = performance.now() - t0;
    expect(mainMs).toBeGreaterThan(2 * MAX_DELAY_MS);
    console.log(
      `agreement on the main thread ${mainMs.toFixed(0)} ms; request ${d.requestMs.toFixed(0)} ms; ${d.sent} live updates, slowest delivered ${d.maxDelay.toFixed(0)} ms after it was due (due at +${d.worstAtMs.toFixed(0)} ms)`,
    );
    expect(d.maxDelay).toBeLessThan(MAX_DELAY_MS);
    expect(d.sent).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it("repeats come from the cache, concurrent requests share one computation, a live span invalidates", async () => {
    server = await startServer({ file: true });
    const w = world(20);
    const service = agreementService(server.db, server.deps.log);
    const before = service.computed;

    const [a, b] = await Promise.all([get(w), get(w)]);
    expect(service.computed).toBe(before + 1);
    const first = await a.text();
    expect(await b.text()).toBe(first);
    const again = await get(w);
    expect(await again.text()).toBe(first);
    expect(service.computed).toBe(before + 1);
    // another query is another report
    expect((await get(w, `?annotators=${w.annotators[0]!.id},${w.annotators[1]!.id}`)).status).toBe(200);
    expect(service.computed).toBe(before + 2);

    const { writer, ctx } = await liveRoom(server, w, clients);
    addSpan(writer.doc, { start: 1, end: 9, label: w.p.labels[1]!.id, author: w.annotators[0]!.id }, ctx);
    // the read flushes the projection first (the room's load reconciled the layer with its empty Y.Doc, then
    // the new span): the project's rows changed, so the report is computed again, and is the fresh one
    const projected = () => {
      const report = JSON.parse(
        reportPage(computeAgreement(server.db, w.p.id, {}), FIRST_PAGE),
      ) as AgreementReport;
      return report.overall.spans;
    };
    await vi.waitFor(async () => {
      const report = (await (await get(w)).json()) as AgreementReport;
      expect(report.overall.spans).not.toBe((JSON.parse(first) as AgreementReport).overall.spans);
      expect(report.overall.spans).toBe(projected());
    });
    expect(service.computed).toBe(before + 3);

    // a document added through the tables (not the projection) changes the version too
    seedDocument(server.db, w.p.id, "Another one.");
    expect((await get(w)).status).toBe(200);
    expect(service.computed).toBe(before + 4);
  }, 60_000);

  it("gives the report the main thread computes, and rethrows the worker's 400s", async () => {
    server = await startServer({ file: true });
    const w = world(50);
    const query = `?annotators=${w.annotators[0]!.id},${w.annotators[2]!.id}&minIou=0.5`;
    const res = await get(w, query);
    expect(res.status).toBe(200);
    const viaWorker = (await res.json()) as AgreementReport;
    const inThread = JSON.parse(
      reportPage(
        computeAgreement(server.db, w.p.id, {
          annotators: [w.annotators[0]!.id, w.annotators[2]!.id],
          minIou: 0.5,
        }),
        FIRST_PAGE,
      ),
    ) as AgreementReport;
    expect({ ...viaWorker, elapsedMs: 0 }).toEqual({ ...inThread, elapsedMs: 0 });

    const bad = await get(w, "?labels=nonsense");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: "bad_request", details: { field: "labels", unknown: ["nonsense"] } },
    });
  }, 60_000);

  it("a failure in the worker is a 500, and the next request is served", async () => {
    server = await startServer({ file: true });
    const w = world(5);
    // the worker's read fails (its table is gone) while the server itself is unaffected
    server.db.$client.exec("ALTER TABLE annotations RENAME TO annotations_away");
    const failed = await get(w);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { code: "internal" } });
    server.db.$client.exec("ALTER TABLE annotations_away RENAME TO annotations");
    expect((await get(w)).status).toBe(200);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  }, 60_000);
});
