/**
 * External recommenders over the Label Studio ML backend protocol (issue 14), against a stub backend written
 * here that speaks it as label-studio-ml-backend documents it (/setup, /health, /predict), including broken
 * answers, timeouts, wrong offsets and failures: answers are fetched off the request path, converted from
 * code points exactly, checked against the text, cached per (document, recommender, model version), retried,
 * limited per project, and cut off by a circuit breaker.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RecommenderDto, SpanDto, SuggestionListDto } from "@gloss/shared";
import { userLayer } from "@gloss/shared";
import { afterEach, describe, expect, it } from "vitest";
import { type ApiUser, createTeam, type Team, useServer } from "../helpers/factories";
import { row } from "../helpers/query";
import { addDocument } from "../helpers/seed";

interface StubCall {
  path: string;
  body: Record<string, unknown> | null;
}

/** A Label Studio ML backend stand-in: `answer` decides what each call gets. */
async function startStub(
  answer: (call: StubCall, res: http.ServerResponse) => void | Promise<void>,
): Promise<{ url: string; calls: StubCall[]; maxConcurrent: () => number; close: () => Promise<void> }> {
  const calls: StubCall[] = [];
  let active = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", async () => {
      const call = { path: req.url ?? "", body: raw ? JSON.parse(raw) : null };
      calls.push(call);
      active++;
      peak = Math.max(peak, active);
      try {
        await answer(call, res);
      } finally {
        active--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    maxConcurrent: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

/** A region as Label Studio writes it: code point offsets. */
const region = (text: string, word: string, label: string, score?: number, from = 0) => {
  const at = [...text.slice(0, text.indexOf(word, from))].length;
  return {
    from_name: "label",
    to_name: "text",
    type: "labels",
    value: { start: at, end: at + [...word].length, text: word, labels: [label] },
    ...(score === undefined ? {} : { score }),
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Label Studio ML backend recommenders", () => {
  const ctx = useServer();
  const stubs: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    for (const s of stubs.splice(0)) await s.close();
  });

  const addRecommender = (team: Team, url: string, config: Record<string, unknown> = {}) =>
    team.manager.client.json<RecommenderDto>(
      "POST",
      `/api/projects/${team.project.id}/recommenders`,
      { name: "ner", kind: "label-studio-ml", config: { url, timeoutMs: 1000, retries: 0, ...config } },
      201,
    );
  const addDoc = async (team: Team, text: string) =>
    (await addDocument(ctx.server.store, team.project.id, text, { assignTo: [team.annotator.user] })).id;
  const suggestionsOf = (who: ApiUser, doc: number) =>
    who.client.get<SuggestionListDto>(`/api/documents/${doc}/suggestions`);
  /** Asks until no recommender is pending; the last answer. */
  async function settled(who: ApiUser, doc: number): Promise<SuggestionListDto> {
    let last: SuggestionListDto | undefined;
    await expect
      .poll(
        async () => {
          last = await suggestionsOf(who, doc);
          return last.pending.length;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(0);
    return last!;
  }

  it("sets up, predicts off the request path, converts code points exactly, drops what does not match, caches per model version", async () => {
    const team = await createTeam(ctx.server.url);
    const text = "🌉 Smith said the 🌉 bridge is safe, Smith said.";
    const stub = await startStub((call, res) => {
      if (call.path === "/setup") return send(res, 200, { model_version: "v7" });
      if (call.path === "/health") return send(res, 200, { status: "UP", model_class: "Stub" });
      const task = (call.body!.tasks as Array<{ id: number; data: { text: string } }>)[0]!;
      const t = task.data.text;
      send(res, 200, {
        results: [
          {
            model_version: "v7",
            score: 0.8,
            result: [
              region(t, "Smith", "attribution", 0.9),
              region(t, "bridge", "claim"), // no score of its own: the prediction's
              region(t, "Smith", "attribution", undefined, 10),
              // offsets counted in UTF-16 (wrong for Label Studio): they do not cover "safe" in code points
              {
                value: {
                  start: t.indexOf("safe"),
                  end: t.indexOf("safe") + 4,
                  text: "safe",
                  labels: ["claim"],
                },
              },
              { value: { start: 0, end: 999, text: "x", labels: ["claim"] } }, // outside the text
              { value: { ...region(t, "said", "claim").value, labels: ["no such label"] } },
              { value: { start: 2, end: 7, text: "Smith" } }, // no labels
            ],
          },
        ],
      });
    });
    stubs.push(stub);
    const rec = await addRecommender(team, stub.url);
    const doc = await addDoc(team, text);

    const started = Date.now();
    const first = await suggestionsOf(team.annotator, doc);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(first).toMatchObject({ suggestions: [], pending: [rec.id], failed: [] });
    const done = await settled(team.annotator, doc);
    expect(done.failed).toEqual([]);
    expect(done.dropped).toEqual({ [String(rec.id)]: 4 });
    expect(
      done.suggestions.map((s) => [s.start, s.end, s.text, s.labelName, s.score, s.model_version]),
    ).toEqual([
      [2, 7, "Smith", "attribution", 0.9, "v7"],
      [19, 25, "bridge", "claim", 0.8, "v7"],
      [35, 40, "Smith", "attribution", 0.8, "v7"],
    ]);
    expect([...text].slice(19, 25).join("")).toBe("bridge");

    // what the backend was sent: the labelling config at /setup, then one task with the document's text
    expect(stub.calls.map((c) => c.path)).toEqual(["/setup", "/predict"]);
    expect(stub.calls[0]!.body!.schema).toContain('<Label value="attribution"/>');
    expect(stub.calls[1]!.body!.tasks).toEqual([{ id: doc, data: { text } }]);
    const stored = await row(ctx.server.store, (s) => s.q.select().from(s.t.recommenders));
    expect(stored!.modelVersion).toBe("v7");

    // cached: asking again (another annotator too) calls nothing
    await suggestionsOf(team.annotator, doc);
    await suggestionsOf(team.curator, doc).catch(() => undefined);
    expect(stub.calls.length).toBe(2);

    // accepting writes the model's score and version into the provenance
    const span = await team.annotator.client.json<SpanDto>(
      "POST",
      `/api/documents/${doc}/suggestions/accept`,
      { recommender: rec.id, start: 19, end: 25, label: "claim" },
      201,
    );
    await ctx.server.deps.collab.flush();
    const projected = await row(ctx.server.store, (s) => s.q.select().from(s.t.annotations));
    expect(projected).toMatchObject({ spanId: span.id, layer: userLayer(team.annotator.user.id) });
    expect(JSON.parse(projected!.extra!).provenance).toMatchObject({
      via: "suggestion",
      recommender: rec.id,
      model_version: "v7",
      score: 0.8,
    });

    // the health check calls /health and /setup now
    const health = await team.manager.client.json(
      "POST",
      `/api/projects/${team.project.id}/recommenders/${rec.id}/health`,
      undefined,
      200,
    );
    expect(health).toEqual({ up: true, modelClass: "Stub", modelVersion: "v7", error: null });
  });

  it("reports broken answers and timeouts without waiting for them, and retries with backoff", async () => {
    const team = await createTeam(ctx.server.url);
    let mode: "junk" | "no-results" | "huge" | "hang" | "flaky" = "junk";
    let flaky = 0;
    const stub = await startStub(async (call, res) => {
      if (call.path === "/setup") return send(res, 200, {});
      if (mode === "junk") return send(res, 200, "<html>oops</html>");
      if (mode === "no-results") return send(res, 200, { predictions: [] });
      if (mode === "huge") {
        // streamed without a length: refused once it passes the limit
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = "x".repeat(1024 * 1024);
        for (let i = 0; i < 20 && !res.destroyed; i++) res.write(chunk);
        return void res.end();
      }
      if (mode === "hang") {
        await sleep(3000);
        return send(res, 200, { results: [] });
      }
      flaky++;
      if (flaky < 3) return send(res, 503, { error: "warming up" });
      return send(res, 200, {
        results: [{ model_version: "v1", result: [region("The bridge.", "bridge", "claim", 0.5)] }],
      });
    });
    stubs.push(stub);
    const rec = await addRecommender(team, stub.url, { timeoutMs: 300 });
    const failure = async (doc: number) => {
      let error = "";
      await expect
        .poll(
          async () => {
            const answer = await suggestionsOf(team.annotator, doc);
            error = answer.failed[0]?.error ?? "";
            return answer.failed.map((f) => f.recommender);
          },
          { timeout: 10_000, interval: 50 },
        )
        .toEqual([rec.id]);
      return error;
    };
    expect(await failure(await addDoc(team, "Junk one."))).toMatch(/not JSON/);
    mode = "no-results";
    expect(await failure(await addDoc(team, "Junk two."))).toMatch(/results/);
    mode = "huge";
    expect(await failure(await addDoc(team, "Huge one."))).toMatch(/more than 16777216 bytes/);
    // three failures in a row opened the circuit: a new configuration starts afresh
    await team.manager.client.json(
      "PATCH",
      `/api/projects/${team.project.id}/recommenders/${rec.id}`,
      { config: { url: stub.url, timeoutMs: 300, retries: 0 } },
      200,
    );
    mode = "hang";
    const slowDoc = await addDoc(team, "Slow one.");
    const started = Date.now();
    expect((await suggestionsOf(team.annotator, slowDoc)).pending).toEqual([rec.id]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await failure(slowDoc)).toMatch(/no answer within 300 ms/);

    // 503 twice, then an answer: two retries get it
    mode = "flaky";
    await team.manager.client.json(
      "PATCH",
      `/api/projects/${team.project.id}/recommenders/${rec.id}`,
      { config: { url: stub.url, timeoutMs: 300, retries: 2 } },
      200,
    );
    const doc = await addDoc(team, "The bridge.");
    const done = await settled(team.annotator, doc);
    expect(done.failed).toEqual([]);
    expect(done.suggestions.map((s) => [s.text, s.model_version])).toEqual([["bridge", "v1"]]);
    expect(flaky).toBe(3);
  });

  it("opens the circuit after repeated failures: the dead backend is not called again", async () => {
    const team = await createTeam(ctx.server.url);
    const stub = await startStub((_call, res) => send(res, 500, { error: "down" }));
    stubs.push(stub);
    const rec = await addRecommender(team, stub.url);
    const doc = await addDoc(team, "Nobody home.");
    await expect
      .poll(async () => (await suggestionsOf(team.annotator, doc)).failed.map((f) => f.error), {
        timeout: 10_000,
        interval: 20,
      })
      .toEqual(["circuit_open"]);
    expect(stub.calls.length).toBe(3);
    for (let i = 0; i < 5; i++)
      expect((await suggestionsOf(team.annotator, doc)).failed).toEqual([
        { recommender: rec.id, error: "circuit_open" },
      ]);
    expect(stub.calls.length).toBe(3);
  });

  it("checks the model version again after versionCheckMs: a retrained model's answers replace the cached ones", async () => {
    const team = await createTeam(ctx.server.url);
    let version = "v1";
    const stub = await startStub((call, res) => {
      if (call.path === "/setup") return send(res, 200, { model_version: version });
      const t = (call.body!.tasks as Array<{ data: { text: string } }>)[0]!.data.text;
      const word = version === "v1" ? "Smith" : "bridge";
      send(res, 200, { results: [{ model_version: version, result: [region(t, word, "claim", 0.5)] }] });
    });
    stubs.push(stub);
    await addRecommender(team, stub.url, { versionCheckMs: 200 });
    const doc = await addDoc(team, "Smith crossed the bridge.");
    expect((await settled(team.annotator, doc)).suggestions.map((s) => [s.text, s.model_version])).toEqual([
      ["Smith", "v1"],
    ]);
    version = "v2";
    // within versionCheckMs: the cache answers, nothing is called
    expect((await suggestionsOf(team.annotator, doc)).suggestions.map((s) => s.model_version)).toEqual([
      "v1",
    ]);
    expect(stub.calls.map((c) => c.path)).toEqual(["/setup", "/predict"]);
    await sleep(250);
    await expect
      .poll(
        async () =>
          (await suggestionsOf(team.annotator, doc)).suggestions.map((s) => [s.text, s.model_version]),
        {
          timeout: 10_000,
          interval: 50,
        },
      )
      .toEqual([["bridge", "v2"]]);
    expect(stub.calls.map((c) => c.path)).toEqual(["/setup", "/predict", "/setup", "/predict"]);
  });

  it("runs at most two calls at once per project", async () => {
    const team = await createTeam(ctx.server.url);
    const stub = await startStub(async (call, res) => {
      if (call.path === "/setup") return send(res, 200, { model_version: "m" });
      await sleep(150);
      send(res, 200, { results: [{ model_version: "m", result: [] }] });
    });
    stubs.push(stub);
    await addRecommender(team, stub.url);
    const docs: number[] = [];
    for (let i = 0; i < 6; i++) docs.push(await addDoc(team, `Document number ${i}.`));
    await Promise.all(docs.map((d) => suggestionsOf(team.annotator, d)));
    for (const d of docs) await settled(team.annotator, d);
    expect(stub.calls.filter((c) => c.path === "/predict").length).toBe(6);
    // six documents asked at once: two calls in flight at most (and at least two, so the limit was reached)
    expect(stub.maxConcurrent()).toBe(2);
  });
});
