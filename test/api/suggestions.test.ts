/**
 * Suggestions (issue 14), through the real API on a real server and database: recommenders per project,
 * the built-in string matcher (learned from the projection; blind in independent mode), accept into the
 * caller's live layer with provenance, remembered rejections, accept-all above a score, quality on held-out
 * documents.
 */
import {
  type ApiErrorBody,
  MAX_RECOMMENDERS_PER_PROJECT,
  MAX_SUGGESTIONS_PER_RECOMMENDER,
  type RecommenderDto,
  type RecommenderQualityDto,
  type SpanDto,
  type SpanRecord,
  type SuggestionListDto,
  userLayer,
} from "@gloss/shared";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { connectClient } from "../helpers/collab";
import {
  type ApiUser,
  addMember,
  createTeam,
  registerUser,
  type Team,
  useServer,
} from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { row, rows } from "../helpers/query";
import { addDocument } from "../helpers/seed";

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("suggestions", () => {
  const ctx = useServer();

  const recommendersPath = (team: Team) => `/api/projects/${team.project.id}/recommenders`;
  const addDoc = async (team: Team, text: string, assignTo: ApiUser[] = [team.annotator]) =>
    (await addDocument(ctx.server.store, team.project.id, text, { assignTo: assignTo.map((u) => u.user) }))
      .id;
  const addSpan = (who: ApiUser, doc: number, layer: string, start: number, end: number, label: string) =>
    who.client.json<SpanDto>(
      "POST",
      `/api/documents/${doc}/layers/${layer}/spans`,
      { start, end, label },
      201,
    );
  const suggestionsOf = (who: ApiUser, doc: number, query = "") =>
    who.client.get<SuggestionListDto>(`/api/documents/${doc}/suggestions${query}`);
  const stringMatcher = (team: Team, config: Record<string, unknown> = {}) =>
    team.manager.client.json<RecommenderDto>(
      "POST",
      recommendersPath(team),
      { name: "strings", kind: "string-match", config },
      201,
    );

  it("lets managers create, change and delete recommenders, members list them; invalid configs are 400s; audited", async () => {
    const team = await createTeam(ctx.server.url);
    const path = recommendersPath(team);
    const rec = await stringMatcher(team);
    expect(rec).toMatchObject({
      kind: "string-match",
      enabled: true,
      modelVersion: null,
      config: { sources: ["gold", "annotators"], caseSensitive: true, normalizeWhitespace: false },
    });
    const ls = await team.manager.client.json<RecommenderDto>(
      "POST",
      path,
      { name: "ner", kind: "label-studio-ml", config: { url: "http://127.0.0.1:9/" } },
      201,
    );
    expect(ls.config).toEqual({
      url: "http://127.0.0.1:9/",
      timeoutMs: 10_000,
      retries: 2,
      versionCheckMs: 300_000,
    });
    for (const who of [team.annotator, team.curator, team.manager]) {
      const list = await who.client.get<{ recommenders: RecommenderDto[] }>(path);
      expect(list.recommenders.map((r) => r.id)).toEqual([rec.id, ls.id]);
    }
    expect((await team.outsider.client.request("GET", path)).status).toBe(404);
    expect((await new ApiClient(ctx.server.url).request("GET", path)).status).toBe(401);
    for (const body of [
      { name: "x", kind: "label-studio-ml", config: { url: "ftp://example.org" } },
      { name: "x", kind: "label-studio-ml" },
      { name: "x", kind: "string-match", config: { caseSensitive: "yes" } },
      { name: "x", kind: "llm" },
      { name: "", kind: "string-match" },
    ]) {
      expect((await team.manager.client.request("POST", path, body)).status).toBe(400);
    }
    expect(
      (await team.annotator.client.request("POST", path, { name: "x", kind: "string-match" })).status,
    ).toBe(403);
    const patched = await team.manager.client.json<RecommenderDto>(
      "PATCH",
      `${path}/${rec.id}`,
      { enabled: false, config: { caseSensitive: false } },
      200,
    );
    expect(patched).toMatchObject({
      enabled: false,
      config: { caseSensitive: false, sources: ["gold", "annotators"] },
    });
    const bad = await team.manager.client.request("PATCH", `${path}/${rec.id}`, { config: { sources: [] } });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/^config\.sources/);
    expect((await team.curator.client.request("DELETE", `${path}/${rec.id}`)).status).toBe(403);
    expect((await team.manager.client.request("DELETE", `${path}/${rec.id}`)).status).toBe(204);
    expect((await team.manager.client.request("DELETE", `${path}/${rec.id}`)).status).toBe(404);
    const audited = await rows(ctx.server.store, (s) =>
      s.q.select().from(s.t.auditLog).where(eq(s.t.auditLog.projectId, team.project.id)),
    );
    expect(audited.map((a) => a.action).filter((a) => a.startsWith("recommender."))).toEqual([
      "recommender.create",
      "recommender.create",
      "recommender.update",
      "recommender.delete",
    ]);
  });

  it("is bounded: a project holds at most MAX_RECOMMENDERS_PER_PROJECT recommenders, a document shows at most MAX_SUGGESTIONS_PER_RECOMMENDER per recommender (the rest counted)", async () => {
    const team = await createTeam(ctx.server.url);
    const made: RecommenderDto[] = [];
    for (let i = 0; i < MAX_RECOMMENDERS_PER_PROJECT; i++) made.push(await stringMatcher(team));
    const over = await team.manager.client.request("POST", recommendersPath(team), {
      name: "one too many",
      kind: "string-match",
      config: {},
    });
    expect(over.status).toBe(409);
    expect((await errorOf(over)).code).toBe("too_many_recommenders");
    for (const r of made.slice(1))
      expect((await team.manager.client.request("DELETE", `${recommendersPath(team)}/${r.id}`)).status).toBe(
        204,
      );
    // one learned word that recurs more often than a document may show
    const n = MAX_SUGGESTIONS_PER_RECOMMENDER + 7;
    const doc = await addDoc(team, Array.from({ length: n + 1 }, () => "bridge").join(" "));
    await addSpan(team.annotator, doc, userLayer(team.annotator.user.id), 0, 6, "claim");
    const listed = await suggestionsOf(team.annotator, doc);
    expect(listed.suggestions).toHaveLength(MAX_SUGGESTIONS_PER_RECOMMENDER);
    expect(listed.truncated).toEqual({ [String(made[0]!.id)]: 7 });
  });

  it("proposes every learned text where it recurs, as code points with their text, not where the caller has a span", async () => {
    const team = await createTeam(ctx.server.url);
    const rec = await stringMatcher(team);
    // an astral character first: code point offsets differ from UTF-16 ones
    const text = "🌉 The Mayor said the bridge is safe. The Mayor denied it; the mayor left.";
    const doc = await addDoc(team, text);
    const me = userLayer(team.annotator.user.id);
    await addSpan(team.annotator, doc, me, 2, 11, "attribution"); // "The Mayor"
    const { suggestions, pending, failed } = await suggestionsOf(team.annotator, doc);
    expect(pending).toEqual([]);
    expect(failed).toEqual([]);
    // case-sensitive by default: "the mayor" is not proposed; the span it learned from is not proposed again
    expect(suggestions).toEqual([
      {
        recommender: rec.id,
        model_version: "string-match:1",
        start: 37,
        end: 46,
        text: "The Mayor",
        label: expect.any(Number),
        labelName: "attribution",
        score: 1,
      },
    ]);
    const utf16 = await suggestionsOf(team.annotator, doc, "?offsets=utf16");
    expect(utf16.suggestions[0]).toMatchObject({ start: 38, end: 47, text: "The Mayor" });
    expect([...text].slice(37, 46).join("")).toBe("The Mayor");

    // case-insensitive and whitespace-normalised
    await team.manager.client.json(
      "PATCH",
      `${recommendersPath(team)}/${rec.id}`,
      { config: { caseSensitive: false, normalizeWhitespace: true } },
      200,
    );
    const loose = await suggestionsOf(team.annotator, doc);
    expect(loose.suggestions.map((s) => s.text)).toEqual(["The Mayor", "the mayor"]);
    const spaced = await addDoc(team, "Then THE   MAYOR\nspoke; the Mayoral race.");
    expect((await suggestionsOf(team.annotator, spaced)).suggestions.map((s) => s.text)).toEqual([
      "THE   MAYOR",
    ]);
  });

  it("is blind in independent mode: learns from the caller's own layer and gold elsewhere, never from another annotator", async () => {
    const team = await createTeam(ctx.server.url);
    await stringMatcher(team);
    const text = "Officials said the bridge is safe.";
    const other = await addDoc(team, "The bridge was closed by officials.", [team.annotator, team.curator]);
    const doc = await addDoc(team, text, [team.annotator, team.curator]);
    // the curator labels "bridge" in their own layer of another document: the annotator must not learn it
    await addSpan(team.curator, other, userLayer(team.curator.user.id), 4, 10, "claim");
    expect((await suggestionsOf(team.annotator, doc)).suggestions).toEqual([]);
    expect((await suggestionsOf(team.curator, doc)).suggestions.map((s) => s.text)).toEqual(["bridge"]);
    // gold of another document teaches everyone; gold of this document teaches nobody here
    await addSpan(team.curator, other, "gold", 25, 34, "attribution"); // "officials"
    await addSpan(team.curator, doc, "gold", 19, 25, "denial"); // "bridge" in this document's gold
    const seen = await suggestionsOf(team.annotator, doc);
    expect(seen.suggestions.map((s) => [s.text, s.labelName])).toEqual([]);
    await addSpan(team.curator, other, "gold", 4, 10, "claim");
    expect((await suggestionsOf(team.annotator, doc)).suggestions.map((s) => [s.text, s.labelName])).toEqual([
      ["bridge", "claim"],
    ]);
    // annotators may not see suggestions for documents not assigned to them
    const unassigned = await addDoc(team, "The bridge stands.", []);
    expect(
      (await team.annotator.client.request("GET", `/api/documents/${unassigned}/suggestions`)).status,
    ).toBe(404);
    expect((await team.outsider.client.request("GET", `/api/documents/${doc}/suggestions`)).status).toBe(404);
  });

  it("accepts a suggestion into the caller's live layer with its provenance; rejects are remembered; accept-all above a score", async () => {
    const team = await createTeam(ctx.server.url);
    const rec = await stringMatcher(team);
    const labels = await team.manager.client.get<{ labels: Array<{ id: number; name: string }> }>(
      `/api/projects/${team.project.id}/labels`,
    );
    const claim = labels.labels.find((l) => l.name === "claim")!.id;
    const denial = labels.labels.find((l) => l.name === "denial")!.id;
    const me = userLayer(team.annotator.user.id);
    const teach = await addDoc(team, "safe safe safe unsafe");
    await addSpan(team.annotator, teach, me, 0, 4, "claim");
    await addSpan(team.annotator, teach, me, 5, 9, "claim");
    await addSpan(team.annotator, teach, me, 10, 14, "denial"); // "safe": claim 2/3, denial 1/3
    await addSpan(team.annotator, teach, me, 15, 21, "denial"); // "unsafe": denial 1/1
    const doc = await addDoc(team, "It is safe, they said; safe and unsafe.");
    const all = await suggestionsOf(team.annotator, doc);
    expect(all.suggestions.map((s) => [s.start, s.text, s.labelName, Number(s.score.toFixed(2))])).toEqual([
      [6, "safe", "claim", 0.67],
      [6, "safe", "denial", 0.33],
      [23, "safe", "claim", 0.67],
      [23, "safe", "denial", 0.33],
      [32, "unsafe", "denial", 1],
    ]);

    // accept: the score and model version are the server's, not the caller's
    const base = `/api/documents/${doc}/suggestions`;
    const span = await team.annotator.client.json<SpanDto>(
      "POST",
      `${base}/accept`,
      { recommender: rec.id, start: 6, end: 10, label: "claim", score: 99 },
      201,
    );
    expect(span).toMatchObject({
      start: 6,
      end: 10,
      text: "safe",
      labelName: "claim",
      author: team.annotator.user.id,
    });
    const live = await team.annotator.client.get<{ spans: SpanDto[] }>(
      `/api/documents/${doc}/layers/${me}/spans`,
    );
    expect(live.spans.map((s) => s.id)).toEqual([span.id]);
    await ctx.server.deps.collab.flush();
    const projected = await row(ctx.server.store, (s) =>
      s.q
        .select()
        .from(s.t.annotations)
        .where(and(eq(s.t.annotations.documentId, doc), eq(s.t.annotations.spanId, span.id))),
    );
    expect(JSON.parse(projected!.extra!).provenance).toMatchObject({
      via: "suggestion",
      recommender: rec.id,
      model_version: "string-match:2",
      decidedBy: team.annotator.user.id,
    });
    expect(JSON.parse(projected!.extra!).provenance.score).toBeCloseTo(2 / 3);
    // the accepted span's offsets are taken: nothing more is proposed there; a second accept is a 404
    expect((await suggestionsOf(team.annotator, doc)).suggestions.map((s) => s.start)).toEqual([23, 23, 32]);
    expect(
      (
        await team.annotator.client.request("POST", `${base}/accept`, {
          recommender: rec.id,
          start: 6,
          end: 10,
          label: claim,
        })
      ).status,
    ).toBe(404);

    // reject: remembered for that annotator only
    await team.annotator.client.json(
      "POST",
      `${base}/reject`,
      { recommender: rec.id, start: 32, end: 38, label: denial },
      204,
    );
    await team.annotator.client.json(
      "POST",
      `${base}/reject`,
      { recommender: rec.id, start: 32, end: 38, label: denial },
      204,
    );
    expect((await suggestionsOf(team.annotator, doc)).suggestions.map((s) => s.start)).toEqual([23, 23]);
    for (const body of [
      { recommender: rec.id, start: 38, end: 32, label: denial },
      { recommender: rec.id, start: 0, end: 999, label: denial },
      { recommender: rec.id, start: 0, end: 2, label: "nope" },
    ])
      expect((await team.annotator.client.request("POST", `${base}/reject`, body)).status).toBe(400);
    expect(
      (
        await team.annotator.client.request("POST", `${base}/reject`, {
          recommender: 999_999,
          start: 0,
          end: 2,
          label: claim,
        })
      ).status,
    ).toBe(404);

    // accept-all above a threshold for a label; the accepted "safe" taught it: claim is 3/4 now
    const none = await team.annotator.client.json<{ accepted: SpanDto[] }>(
      "POST",
      `${base}/accept-all`,
      { label: "claim", threshold: 0.8 },
      200,
    );
    expect(none.accepted).toEqual([]);
    const some = await team.annotator.client.json<{ accepted: SpanDto[] }>(
      "POST",
      `${base}/accept-all`,
      { label: "claim", threshold: 0.7 },
      200,
    );
    expect(some.accepted.map((s) => [s.start, s.text])).toEqual([[23, "safe"]]);
    expect((await suggestionsOf(team.annotator, doc)).suggestions).toEqual([]);
  });

  it("in shared mode: suggestions for the shared layer, an accept seen live by a connected editor, rejections per person", async () => {
    const team = await createTeam(ctx.server.url, { mode: "shared" });
    const second = await registerUser(ctx.server.url);
    await addMember(team.manager.client, team.project.id, second.username, "annotator");
    const rec = await stringMatcher(team);
    const doc = await addDoc(team, "Rain, rain and more rain.", [team.annotator, second]);
    await addSpan(team.annotator, doc, "shared", 0, 4, "claim"); // "Rain": case-sensitive, "rain" differs
    await team.manager.client.json(
      "PATCH",
      `${recommendersPath(team)}/${rec.id}`,
      { config: { caseSensitive: false } },
      200,
    );
    const editor = connectClient(ctx.server, {
      documentId: doc,
      layer: "shared",
      auth: { cookie: second.client.cookie ?? undefined },
    });
    try {
      await editor.synced();
      const seen = await suggestionsOf(second, doc);
      expect(seen.suggestions.map((s) => [s.start, s.text])).toEqual([
        [6, "rain"],
        [20, "rain"],
      ]);
      await team.annotator.client.json(
        "POST",
        `/api/documents/${doc}/suggestions/accept`,
        { recommender: rec.id, start: 6, end: 10, label: "claim" },
        201,
      );
      await vi.waitFor(() => {
        const spans = [...editor.doc.getMap<SpanRecord>("spans").values()];
        expect(spans.find((s) => s.start === 6)?.provenance).toMatchObject({
          via: "suggestion",
          recommender: rec.id,
        });
      });
      // the shared layer has it now, for both; a rejection is the rejecter's alone
      await team.annotator.client.json(
        "POST",
        `/api/documents/${doc}/suggestions/reject`,
        { recommender: rec.id, start: 20, end: 24, label: "claim" },
        204,
      );
      expect((await suggestionsOf(team.annotator, doc)).suggestions).toEqual([]);
      expect((await suggestionsOf(second, doc)).suggestions.map((s) => s.start)).toEqual([20]);
    } finally {
      editor.destroy();
    }
  });

  it("refuses a socket client that mints a suggestion's provenance (only the server writes it)", async () => {
    const team = await createTeam(ctx.server.url);
    const labels = await team.manager.client.get<{ labels: Array<{ id: number }> }>(
      `/api/projects/${team.project.id}/labels`,
    );
    const { validateClientUpdate } = await import("@gloss/server/collab/validate");
    const { Y } = await import("../helpers/collab");
    const label = labels.labels[0]!.id;
    const rules = { gold: false, ctx: { text: "The bridge is safe.", labelIds: new Set([label]) } };
    const limits = { maxSpansPerLayer: 100, maxRelationsPerLayer: 100 };
    // the annotator's socket (its writes are held to who wrote them: issue 17)
    const writer = { userId: team.annotator.user.id };
    const live = new Y.Doc();
    const client = new Y.Doc();
    const span = {
      start: 4,
      end: 10,
      label,
      author: team.annotator.user.id,
      createdAt: 1,
      provenance: {
        annotators: [],
        decidedBy: 1,
        decidedAt: 1,
        via: "suggestion",
        recommender: 1,
        model_version: "x",
        score: 1,
      },
    };
    client.getMap("spans").set("s1", span);
    expect(() => validateClientUpdate(live, Y.encodeStateAsUpdate(client), rules, limits, writer)).toThrow(
      /provenance is written by the server only/,
    );
    // once the server wrote it, a client may keep it while moving the span
    live.getMap("spans").set("s1", span);
    const moved = new Y.Doc();
    Y.applyUpdate(moved, Y.encodeStateAsUpdate(live));
    const before = Y.encodeStateVector(moved);
    moved.getMap("spans").set("s1", { ...span, end: 18 });
    expect(() =>
      validateClientUpdate(live, Y.encodeStateAsUpdate(moved, before), rules, limits, writer),
    ).not.toThrow();
    moved.getMap("spans").set("s1", { ...span, provenance: { ...span.provenance, score: 0.1 } });
    const forged = Y.encodeStateAsUpdate(moved, Y.encodeStateVector(live));
    expect(() => validateClientUpdate(live, forged, rules, limits, writer)).toThrow(
      /provenance is written by the server only/,
    );
  });

  it("reports precision, recall and F1 per label on held-out documents", async () => {
    const team = await createTeam(ctx.server.url);
    const rec = await stringMatcher(team, { sources: ["gold"] });
    const texts = [
      "Smith said the plan works.",
      "Jones said the plan fails.",
      "Smith and Jones agree.",
      "Brown said nothing.",
      "Smith met Brown and Jones.",
    ];
    const docs: number[] = [];
    for (const t of texts) docs.push(await addDoc(team, t, []));
    const gold = async (i: number, word: string, label: string) => {
      for (let at = texts[i]!.indexOf(word); at >= 0; at = texts[i]!.indexOf(word, at + 1))
        await addSpan(team.curator, docs[i]!, "gold", at, at + word.length, label);
    };
    for (let i = 0; i < 4; i++) for (const w of ["Smith", "Jones", "Brown"]) await gold(i, w, "attribution");
    // the held-out document (the fifth): Smith and Jones are right, Brown is labelled a claim (wrong label)
    await gold(4, "Smith", "attribution");
    await gold(4, "Jones", "attribution");
    await gold(4, "Brown", "claim");
    const quality = await team.curator.client.get<RecommenderQualityDto>(
      `${recommendersPath(team)}/${rec.id}/quality`,
    );
    expect(quality).toMatchObject({ reference: "gold", heldOutDocuments: 1, trainingDocuments: 4 });
    const attribution = quality.labels.find((l) => l.labelName === "attribution")!;
    expect(attribution).toMatchObject({ tp: 2, fp: 1, fn: 0, recall: 1 });
    expect(attribution.precision).toBeCloseTo(2 / 3);
    expect(quality.labels.find((l) => l.labelName === "claim")).toMatchObject({ tp: 0, fp: 0, fn: 1, f1: 0 });
    expect(quality.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(
      (await team.annotator.client.request("GET", `${recommendersPath(team)}/${rec.id}/quality`)).status,
    ).toBe(403);
  });
});
