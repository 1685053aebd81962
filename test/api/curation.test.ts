/**
 * Adjudication over a real server: annotators' spans are written into their live layers, the
 * curation API reads them back through the projection, auto-merges the agreed ones into the live gold
 * room (idempotently, never reviving a rejection), records accept / edit / reject / remove decisions
 * with provenance and audit rows, and refuses everyone but curators, managers and admins.
 */
import { all, call } from "@gloss/server/db/store";
import {
  type AutoMergeResultDto,
  addRelation,
  addSpan,
  type CurationDecisionResultDto,
  type DocumentCurationDto,
  type LayerContext,
  listRelations,
  listSpans,
  OffsetMap,
  type ProjectCurationDto,
  rejectedOf,
  userLayer,
} from "@gloss/shared";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { useServer } from "../helpers/factories";
import { ApiClient } from "../helpers/http";
import { addDocument, addProject, addUser, type SeededProject, type SeededUser } from "../helpers/seed";
import type { TestServer } from "../helpers/server";

// An astral character first, so code points and UTF-16 units differ by one everywhere after it.
const TEXT = "😀 The minister said taxes will rise. Critics denied it. Prices may fall. Sources say so.";
const at = (s: string) => TEXT.indexOf(s); // UTF-16
const cp = (utf16: number) => new OffsetMap(TEXT).toCodePoint(utf16);

interface World {
  server: TestServer;
  project: SeededProject;
  label: Record<"claim" | "denial" | "attribution" | "speculation", number>;
  manager: SeededUser;
  curator: SeededUser;
  a: SeededUser;
  b: SeededUser;
  /** An annotator of the project not assigned to the document. */
  other: SeededUser;
  outsider: SeededUser;
  admin: SeededUser;
  documentId: number;
  /** A client signed in as the curator. */
  api: ApiClient;
}

async function world(server: TestServer, text = TEXT): Promise<World> {
  const db = server.store;
  const users: SeededUser[] = [];
  for (let i = 0; i < 6; i++) users.push(await addUser(db));
  const [manager, curator, a, b, other, outsider] = users;
  const admin = await addUser(db, { admin: true });
  const project = await addProject(db, {
    members: [
      { user: manager!, role: "manager" },
      { user: curator!, role: "curator" },
      { user: a!, role: "annotator" },
      { user: b!, role: "annotator" },
      { user: other!, role: "annotator" },
    ],
  });
  const id = (name: string) => project.labels.find((l) => l.name === name)!.id;
  const label = {
    claim: id("claim"),
    denial: id("denial"),
    attribution: id("attribution"),
    speculation: id("speculation"),
  };
  const doc = await addDocument(db, project.id, text, { assignTo: [a!, b!] });
  return {
    server,
    project,
    label,
    manager: manager!,
    curator: curator!,
    a: a!,
    b: b!,
    other: other!,
    outsider: outsider!,
    admin,
    documentId: doc.id,
    api: clientOf(server, curator!),
  };
}

function clientOf(server: TestServer, user: SeededUser): ApiClient {
  const c = new ApiClient(server.url);
  c.cookie = user.cookie;
  return c;
}

const layerCtx = (w: World, text = TEXT): LayerContext => ({
  text,
  labelIds: new Set(w.project.labels.map((l) => l.id)),
  relationTypes: new Set(["attributes"]),
});

/** Writes spans (UTF-16 [start, end, label]) into an annotator's live layer; returns their ids. */
function annotate(
  w: World,
  user: SeededUser,
  spans: Array<[number, number, number]>,
  documentId = w.documentId,
) {
  return w.server.deps.collab.withDoc(documentId, userLayer(user.id), (doc) =>
    spans.map(([start, end, label]) => addSpan(doc, { start, end, label, author: user.id }, layerCtx(w)).id),
  );
}

/** The four cases: agreed claim, label mismatch, boundary mismatch, attribution only A marked. */
async function fourCases(w: World) {
  const { claim, denial, attribution, speculation } = w.label;
  const taxes = [at("taxes"), at("taxes") + "taxes will rise".length] as const;
  const critics = [at("Critics"), at("Critics") + "Critics denied it".length] as const;
  const prices = [at("Prices"), at("Prices") + "Prices may fall".length] as const;
  const sources = [at("Sources"), at("Sources") + "Sources".length] as const;
  const aIds = await annotate(w, w.a, [
    [...taxes, claim],
    [...critics, denial],
    [...prices, speculation],
    [...sources, attribution],
  ]);
  const bIds = await annotate(w, w.b, [
    [...taxes, claim],
    [...critics, claim],
    [prices[0], prices[1] + 1, speculation], // includes the full stop
  ]);
  return { taxes, critics, prices, sources, aIds, bIds };
}

const goldSpans = (w: World, documentId = w.documentId) =>
  w.server.deps.collab.withDoc(documentId, "gold", (doc) => listSpans(doc));
const goldRejected = (w: World) =>
  w.server.deps.collab.withDoc(w.documentId, "gold", (doc) => [...rejectedOf(doc).keys()].sort());
const auditRows = (w: World) =>
  call(w.server.store, function* (s) {
    const { auditLog } = s.t;
    return yield* all(
      s.q.select().from(auditLog).where(eq(auditLog.projectId, w.project.id)).orderBy(asc(auditLog.id)),
    );
  });

describe("GET /documents/:id/curation", () => {
  const ctx = useServer();

  it("aligns two annotators: one agreed span, a label, a boundary and a missing disagreement, in code points", async () => {
    const w = await world(ctx.server);
    const c = await fourCases(w);
    const view = await w.api.get<DocumentCurationDto>(`/api/documents/${w.documentId}/curation`);

    expect(view.document).toMatchObject({ id: w.documentId, length: Array.from(TEXT).length });
    expect(view.offsets).toBe("codepoint");
    expect(view.annotators.map((x) => [x.userId, x.layer, x.spans])).toEqual([
      [w.a.id, `user-${w.a.id}`, 4],
      [w.b.id, `user-${w.b.id}`, 3],
    ]);
    expect(view.sites.map((s) => s.text)).toEqual([
      "taxes will rise",
      "Critics denied it",
      "Prices may fall.",
      "Sources",
    ]);
    expect(view.sites.map((s) => s.disagreements.map((d) => d.kinds))).toEqual([
      [],
      [["label"]],
      [["boundary"]],
      [["missing"]],
    ]);
    const [agreed, label] = view.sites;
    expect(agreed!.candidates).toMatchObject([
      {
        start: cp(c.taxes[0]),
        end: cp(c.taxes[1]),
        text: "taxes will rise",
        labelName: "claim",
        unanimous: true,
        agreed: true,
      },
    ]);
    expect(agreed!.candidates[0]!.start).toBe(c.taxes[0] - 1); // one astral character before it
    expect(label!.candidates.map((x) => [x.labelName, x.annotators.map((a) => a.userId)])).toEqual([
      ["claim", [w.b.id]],
      ["denial", [w.a.id]],
    ]);
    expect(view.sites[3]!.disagreements[0]!.missingIn).toEqual([`user-${w.b.id}`]);
    expect(view.counts).toMatchObject({
      sites: 4,
      agreed: 1,
      disagreements: 3,
      missing: 1,
      boundary: 1,
      label: 1,
    });
    expect(view.counts).toMatchObject({ open: 3, resolved: 0 });
    expect(view.status).toBe("todo");
    expect(view.gold).toEqual({ spans: [], relations: [] });

    const utf16 = await w.api.get<DocumentCurationDto>(
      `/api/documents/${w.documentId}/curation?offsets=utf16`,
    );
    expect(utf16.sites[0]!.candidates[0]!.start).toBe(c.taxes[0]);
    expect(utf16.document.length).toBe(TEXT.length);
    const bad = await w.api.request("GET", `/api/documents/${w.documentId}/curation?offsets=bytes`);
    expect(bad.status).toBe(400);
  });
});

describe("POST /documents/:id/curation/auto-merge", () => {
  const ctx = useServer();

  it("writes exactly the agreed span into live gold with provenance; re-running writes nothing", async () => {
    const w = await world(ctx.server);
    const c = await fourCases(w);
    const merged = await w.api.post<AutoMergeResultDto>(`/api/documents/${w.documentId}/curation/auto-merge`);
    expect(merged.required).toBe(2);
    expect(merged.added.spans).toHaveLength(1);
    expect(merged.added.spans[0]).toMatchObject({
      text: "taxes will rise",
      labelName: "claim",
      start: cp(c.taxes[0]),
    });
    expect(merged.status).toBe("in_progress");

    const gold = await goldSpans(w);
    expect(gold).toHaveLength(1);
    expect(gold[0]).toMatchObject({ start: c.taxes[0], end: c.taxes[1], label: w.label.claim, author: null });
    expect(gold[0]!.provenance).toMatchObject({
      annotators: [w.a.id, w.b.id].sort((x, y) => x - y),
      decidedBy: null,
      via: "auto-merge",
    });
    expect(gold[0]!.provenance!.decidedAt).toBeGreaterThan(0);

    // the gold layer's projection holds it too
    await w.server.deps.collab.flush();
    const rows = await call(w.server.store, function* (s) {
      const { annotations } = s.t;
      return yield* all(
        s.q
          .select()
          .from(annotations)
          .where(and(eq(annotations.documentId, w.documentId), eq(annotations.layer, "gold"))),
      );
    });
    expect(rows.map((r) => [r.spanId, r.start, r.end, r.labelId])).toEqual([
      [gold[0]!.id, c.taxes[0], c.taxes[1], w.label.claim],
    ]);
    expect(rows[0]!.extra ?? "").toContain("auto-merge");

    const again = await w.api.post<AutoMergeResultDto>(
      `/api/documents/${w.documentId}/curation/auto-merge`,
      {},
    );
    expect(again.added).toEqual({ spans: [], relations: [] });
    expect(again.skipped).toContainEqual({
      key: `s:${c.taxes[0]}:${c.taxes[1]}:${w.label.claim}`,
      reason: "in-gold",
    });
    expect(await goldSpans(w)).toEqual(gold);

    const merges = (await auditRows(w)).filter((r) => r.action === "gold.auto-merge");
    expect(merges).toHaveLength(1); // the second run changed nothing, so it recorded nothing
    expect(merges[0]!.userId).toBe(w.curator.id);
    expect(merges[0]!.details).toHaveProperty(["spans", 0, "provenance", "via"], "auto-merge");

    const view = await w.api.get<DocumentCurationDto>(`/api/documents/${w.documentId}/curation`);
    expect(view.gold.spans.map((s) => [s.text, s.provenance?.via])).toEqual([
      ["taxes will rise", "auto-merge"],
    ]);
    expect(view.sites[0]!.candidates[0]!.goldSpanIds).toEqual([gold[0]!.id]);
  });

  it("two curators merging at once write each span once", async () => {
    const w = await world(ctx.server);
    await fourCases(w);
    const url = `/api/documents/${w.documentId}/curation/auto-merge`;
    const manager = clientOf(w.server, w.manager);
    const runs = await Promise.all(
      [w.api, manager, w.api, manager].map((c) => c.post<AutoMergeResultDto>(url)),
    );
    expect(runs.map((r) => r.added.spans.length).sort()).toEqual([0, 0, 0, 1]);
    expect(await goldSpans(w)).toHaveLength(1);
    expect((await auditRows(w)).filter((r) => r.action === "gold.auto-merge")).toHaveLength(1);
  });

  it("never brings back a removed span or a rejected disagreement, even with a lower threshold", async () => {
    const w = await world(ctx.server);
    const c = await fourCases(w);
    const url = `/api/documents/${w.documentId}/curation`;
    await w.api.post(`${url}/auto-merge`);
    const [merged] = await goldSpans(w);

    const removed = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "remove",
      goldSpanId: merged!.id,
    });
    const claimKey = `s:${c.taxes[0]}:${c.taxes[1]}:${w.label.claim}`;
    expect(removed).toMatchObject({
      action: "remove",
      removed: { spans: [merged!.id] },
      rejected: [claimKey],
    });
    expect(await goldSpans(w)).toEqual([]);

    const view = await w.api.get<DocumentCurationDto>(url);
    const missing = view.sites[3]!.disagreements[0]!;
    const rejected = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "reject",
      key: missing.key,
    });
    expect(rejected.rejected).toEqual([missing.key]);
    expect(await goldRejected(w)).toEqual([claimKey, missing.key].sort());

    for (const body of [{}, { threshold: 1, minAnnotators: 1 }]) {
      const res = await w.api.post<AutoMergeResultDto>(`${url}/auto-merge`, body);
      expect(res.added.spans).toEqual([]);
    }
    // with one annotator enough, the two-version disputes are ambiguous and the attribution's was rejected
    const low = await w.api.post<AutoMergeResultDto>(`${url}/auto-merge`, { threshold: 1, minAnnotators: 1 });
    expect(low.skipped.map((s) => s.reason).sort()).toEqual(
      ["ambiguous", "ambiguous", "ambiguous", "ambiguous", "disagreement-rejected", "rejected"].sort(),
    );
    expect(await goldSpans(w)).toEqual([]);

    const after = await w.api.get<DocumentCurationDto>(url);
    expect(after.sites[3]!.disagreements[0]!.resolution).toBe("rejected");
    expect(after.rejected.map((r) => [r.key, r.by])).toEqual(
      expect.arrayContaining([
        [claimKey, w.curator.id],
        [missing.key, w.curator.id],
      ]),
    );
    expect(after.counts).toMatchObject({ resolved: 1, open: 2 });
    expect((await auditRows(w)).map((r) => r.action)).toEqual([
      "gold.auto-merge",
      "gold.remove",
      "gold.reject",
    ]);

    // un-rejecting lets auto-merge write the claim again
    await w.api.post(`${url}/decisions`, { action: "unreject", key: claimKey });
    const back = await w.api.post<AutoMergeResultDto>(`${url}/auto-merge`);
    expect(back.added.spans.map((s) => s.text)).toEqual(["taxes will rise"]);
  });

  it("merges a relation once both of its ends are in gold; a removed relation stays out", async () => {
    const w = await world(ctx.server);
    const { claim, attribution } = w.label;
    const minister = [at("The minister"), at("The minister") + "The minister".length] as const;
    const taxes = [at("taxes"), at("taxes") + "taxes will rise".length] as const;
    for (const user of [w.a, w.b]) {
      await w.server.deps.collab.withDoc(w.documentId, userLayer(user.id), (doc) => {
        const from = addSpan(
          doc,
          { start: minister[0], end: minister[1], label: attribution, author: user.id },
          layerCtx(w),
        );
        const to = addSpan(
          doc,
          { start: taxes[0], end: taxes[1], label: claim, author: user.id },
          layerCtx(w),
        );
        addRelation(doc, { from: from.id, to: to.id, type: "attributes", author: user.id }, layerCtx(w));
      });
    }
    const url = `/api/documents/${w.documentId}/curation`;
    const merged = await w.api.post<AutoMergeResultDto>(`${url}/auto-merge`);
    expect(merged.added.spans).toHaveLength(2);
    expect(merged.added.relations).toHaveLength(1);
    const gold = await goldSpans(w);
    const rels = await w.server.deps.collab.withDoc(w.documentId, "gold", (doc) => listRelations(doc));
    const byText = (t: string) => gold.find((s) => TEXT.slice(s.start, s.end) === t)!.id;
    expect(rels.map((r) => [r.from, r.to, r.type])).toEqual([
      [byText("The minister"), byText("taxes will rise"), "attributes"],
    ]);

    const removed = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "remove-relation",
      goldRelationId: rels[0]!.id,
    });
    expect(removed.removed.relations).toEqual([rels[0]!.id]);
    expect((await w.api.post<AutoMergeResultDto>(`${url}/auto-merge`)).added.relations).toEqual([]);

    // a curator can still accept it explicitly from an annotator's layer
    const view = await w.api.get<DocumentCurationDto>(url);
    const fromA = view.relations[0]!.annotators.find((x) => x.userId === w.a.id)!;
    const accepted = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "accept-relation",
      layer: fromA.layer,
      relationId: fromA.relationId,
    });
    expect(accepted.relation).toMatchObject({
      from: byText("The minister"),
      to: byText("taxes will rise"),
      type: "attributes",
    });
    expect(await goldRejected(w)).toEqual([]);

    // a new boundary for one end keeps the relation, now pointing at the replacement
    const edited = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "edit",
      start: cp(taxes[0]),
      end: cp(taxes[1]) - " rise".length,
      label: "claim",
      replaces: byText("taxes will rise"),
    });
    expect(edited.span!.text).toBe("taxes will");
    const after = await w.server.deps.collab.withDoc(w.documentId, "gold", (doc) => listRelations(doc));
    expect(after.map((r) => [r.id, r.from, r.to])).toEqual([
      [accepted.relation!.id, byText("The minister"), edited.span!.id],
    ]);
    expect((await auditRows(w)).map((r) => r.action)).toEqual([
      "gold.auto-merge",
      "gold.remove-relation",
      "gold.accept-relation",
      "gold.edit",
    ]);
  });
});

describe("POST /documents/:id/curation/decisions", () => {
  const ctx = useServer();

  it("accept, edit with replaces, and reject with removeGold produce the gold state, provenance and audit rows", async () => {
    const w = await world(ctx.server);
    const c = await fourCases(w);
    const url = `/api/documents/${w.documentId}/curation`;
    const view = await w.api.get<DocumentCurationDto>(url);
    const labelSite = view.sites[1]!;
    const bVersion = labelSite.candidates.find((x) => x.labelName === "claim")!.annotators[0]!;

    // accept B's label for "Critics denied it"
    const accepted = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "accept",
      layer: bVersion.layer,
      spanId: bVersion.spanId,
    });
    expect(accepted.span).toMatchObject({
      text: "Critics denied it",
      labelName: "claim",
      start: cp(c.critics[0]),
    });
    expect(accepted.span!.provenance).toMatchObject({
      annotators: [w.b.id],
      decidedBy: w.curator.id,
      via: "accept",
    });
    expect(accepted.status).toBe("in_progress");

    // edit the boundary dispute: the curator's own extent, in code points
    const edited = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "edit",
      start: cp(c.prices[0]),
      end: cp(c.prices[1]),
      label: "speculation",
      note: "the full stop is not part of it",
    });
    expect(edited.span).toMatchObject({ text: "Prices may fall", note: "the full stop is not part of it" });
    expect(edited.span!.provenance).toMatchObject({
      annotators: [w.a.id],
      decidedBy: w.curator.id,
      via: "edit",
    });

    // change of mind: replace the accepted claim with A's denial through an edit
    const replaced = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "edit",
      start: cp(c.critics[0]),
      end: cp(c.critics[1]),
      label: w.label.denial,
      replaces: accepted.span!.id,
    });
    const oldKey = `s:${c.critics[0]}:${c.critics[1]}:${w.label.claim}`;
    expect(replaced).toMatchObject({ removed: { spans: [accepted.span!.id] }, rejected: [oldKey] });

    // accept A's attribution, then think better of it: reject that dispute, removing the gold span
    const after = await w.api.get<DocumentCurationDto>(url);
    expect(after.sites.map((s) => s.disagreements[0]?.resolution ?? null)).toEqual([
      null,
      "gold",
      "gold",
      "open",
    ]);
    const missing = after.sites[3]!.disagreements[0]!;
    const attr = after.sites[3]!.candidates[0]!;
    const attrSpan = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "accept",
      ...pick(attr.annotators[0]!),
    });
    const rej = await w.api.post<CurationDecisionResultDto>(`${url}/decisions`, {
      action: "reject",
      key: missing.key,
      removeGold: true,
    });
    expect(rej.removed.spans).toEqual([attrSpan.span!.id]);
    expect(rej.rejected).toEqual([missing.key, attr.key]);

    const gold = await goldSpans(w);
    expect(gold.map((s) => [TEXT.slice(s.start, s.end), s.label, s.provenance?.via])).toEqual([
      ["Critics denied it", w.label.denial, "edit"],
      ["Prices may fall", w.label.speculation, "edit"],
    ]);
    expect(await goldRejected(w)).toEqual([missing.key, attr.key, oldKey].sort());
    const final = await w.api.get<DocumentCurationDto>(url);
    expect(final.counts).toMatchObject({ disagreements: 3, resolved: 3, open: 0 });

    const rows = await auditRows(w);
    expect(rows.map((r) => [r.action, r.userId])).toEqual([
      ["gold.accept", w.curator.id],
      ["gold.edit", w.curator.id],
      ["gold.edit", w.curator.id],
      ["gold.accept", w.curator.id],
      ["gold.reject", w.curator.id],
    ]);
    expect(rows[4]!.details).toMatchObject({ key: missing.key, kinds: ["missing"] });
    expect(rows[0]!.target).toBe(`document:${w.documentId}/span:${accepted.span!.id}`);
    expect(rows[0]!.details).toMatchObject({
      from: { layer: bVersion.layer, spanId: bVersion.spanId },
      provenance: { via: "accept", decidedBy: w.curator.id },
    });
    expect(rows[2]!.details.replaced).toEqual({ id: accepted.span!.id, key: oldKey });
  });

  it("rejects bad decisions by name, writing nothing", async () => {
    const w = await world(ctx.server);
    await fourCases(w);
    const url = `/api/documents/${w.documentId}/curation/decisions`;
    const cases: Array<[unknown, number, string]> = [
      [{ action: "accept", layer: `user-${w.a.id}`, spanId: "nope" }, 404, "nope"],
      [{ action: "accept", layer: "gold", spanId: "x" }, 400, "layer"],
      [{ action: "edit", start: 5, end: 3, label: "claim" }, 400, "start"],
      [{ action: "edit", start: 0, end: 9999, label: "claim" }, 400, "end"],
      [{ action: "edit", start: 0, end: 3, label: "no-such-label" }, 400, "label"],
      [{ action: "remove", goldSpanId: "missing" }, 404, "missing"],
      [{ action: "reject", key: "d:1:2:3" }, 409, "d:1:2:3"],
      [{ action: "unreject", key: "s:1:2:3" }, 404, "s:1:2:3"],
      [{ action: "shrug" }, 400, "action"],
    ];
    for (const [body, status, named] of cases) {
      const res = await w.api.request("POST", url, body);
      const text = await res.text();
      expect([res.status, text]).toEqual([status, expect.stringContaining(named)]);
    }
    expect(await goldSpans(w)).toEqual([]);
    expect(await auditRows(w)).toEqual([]);
  });
});

describe("two curators at once (compare-and-set)", () => {
  const ctx = useServer();

  interface Accept {
    action: "accept";
    layer: string;
    spanId: string;
    expected?: { start: number; end: number; version: string };
    replace?: boolean;
  }
  interface Answer {
    span?: { id: string };
    error?: { code: string; message: string; details: unknown };
  }

  /** Two curators and two annotators; one document with `n` sentences the annotators label differently. */
  async function race(n: number) {
    const db = ctx.server.store;
    const cora = await addUser(db, { displayName: "Cora" });
    const carl = await addUser(db, { displayName: "Carl" });
    const [a, b] = [await addUser(db), await addUser(db)] as [SeededUser, SeededUser];
    const project = await addProject(db, {
      members: [
        { user: cora, role: "curator" },
        { user: carl, role: "curator" },
        { user: a, role: "annotator" },
        { user: b, role: "annotator" },
      ],
    });
    const label = (name: string) => project.labels.find((l) => l.name === name)!.id;
    const sentences = Array.from({ length: n }, (_, i) => `Sentence ${i} says something.`);
    const text = sentences.join(" ");
    const doc = await addDocument(db, project.id, text, { assignTo: [a, b] });
    const ctxL: LayerContext = { text, labelIds: new Set(project.labels.map((l) => l.id)) };
    const extents = sentences.map((s) => [text.indexOf(s), text.indexOf(s) + s.length] as const);
    for (const [user, l] of [
      [a, label("claim")],
      [b, label("denial")],
    ] as const)
      await ctx.server.deps.collab.withDoc(doc.id, userLayer(user.id), (ydoc) => {
        for (const [start, end] of extents) addSpan(ydoc, { start, end, label: l, author: user.id }, ctxL);
      });
    const url = `/api/documents/${doc.id}/curation`;
    const cApi = clientOf(ctx.server, cora);
    const view = await cApi.get<DocumentCurationDto>(url);
    expect(view.sites).toHaveLength(n);
    /** The accept body of the annotator's version of a site, with the site as the view showed it. */
    const accept = (site: DocumentCurationDto["sites"][number], who: SeededUser, expected = true): Accept => {
      const c = site.candidates.find((x) => x.annotators[0]!.userId === who.id)!;
      return {
        action: "accept",
        ...pick(c.annotators[0]!),
        ...(expected ? { expected: { start: site.start, end: site.end, version: site.version } } : {}),
      };
    };
    const gold = () => ctx.server.deps.collab.withDoc(doc.id, "gold", (d) => listSpans(d));
    return {
      cora,
      carl,
      a,
      b,
      label,
      text,
      view,
      url,
      accept,
      gold,
      apis: [cApi, clientOf(ctx.server, carl)] as const,
      documentId: doc.id,
    };
  }

  it("two curators accepting different versions of a site at the same moment: one wins, the other gets 409 already_decided, every round", async () => {
    const rounds = 50;
    const r = await race(rounds + 10);
    const [coraApi, carlApi] = r.apis;
    const post = async (api: ApiClient, body: unknown) => {
      const res = await api.request("POST", `${r.url}/decisions`, body);
      return { status: res.status, body: (await res.json()) as Answer };
    };
    for (let i = 0; i < rounds + 10; i++) {
      const site = r.view.sites[i]!;
      // the last ten rounds: scripts without `expected` — refused beside an existing version too
      const guarded = i < rounds;
      const [x, y] = await Promise.all([
        post(coraApi, r.accept(site, r.a, guarded)),
        post(carlApi, r.accept(site, r.b, guarded)),
      ]);
      expect([x.status, y.status].sort(), `round ${i}`).toEqual([200, 409]);
      const [won, lost] = x.status === 200 ? [x, y] : [y, x];
      const winner = won === x ? "Cora" : "Carl";
      expect(lost.body.error).toMatchObject({
        code: "already_decided",
        message: expect.stringMatching(new RegExp(`^Already decided by ${winner} at .+ — replace\\?$`)),
        details: { by: winner, current: expect.any(String), goldSpanIds: [won.body.span!.id] },
      });
    }
    // gold: one version per site, never two overlapping spans
    const gold = await r.gold();
    expect(gold).toHaveLength(rounds + 10);
    for (let i = 1; i < gold.length; i++) expect(gold[i]!.start).toBeGreaterThanOrEqual(gold[i - 1]!.end);
    const after = await coraApi.get<DocumentCurationDto>(r.url);
    expect(after.counts).toMatchObject({ open: 0, resolved: rounds + 10 });
    for (const s of after.sites) expect(s.disagreements[0]!.goldSpanIds).toHaveLength(1);
  });

  it("replace after a 409 overrides the other curator's version and leaves one; a stale replace is refused again", async () => {
    const r = await race(2);
    const [coraApi, carlApi] = r.apis;
    const site = r.view.sites[0]!;
    expect(site.version).toBe("0"); // nothing decided yet
    const first = await coraApi.post<CurationDecisionResultDto>(`${r.url}/decisions`, r.accept(site, r.a));
    const res = await carlApi.request("POST", `${r.url}/decisions`, r.accept(site, r.b));
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as {
      error: { code: string; details: { by: string; byId: number; at: number; current: string } };
    };
    expect(error.code).toBe("already_decided");
    expect(error.details).toMatchObject({
      by: "Cora",
      byId: r.cora.id,
      at: first.span!.provenance!.decidedAt,
    });

    // replacing with the version the 409 named: Carl's version replaces Cora's
    const body = r.accept(site, r.b);
    const stale = { ...body, replace: true };
    const fresh = { ...body, replace: true, expected: { ...body.expected!, version: error.details.current } };
    const refused = await carlApi.request("POST", `${r.url}/decisions`, stale);
    expect(refused.status).toBe(409); // still against the version Carl saw first: compare-and-set holds
    const replaced = await carlApi.post<CurationDecisionResultDto>(`${r.url}/decisions`, fresh);
    expect(replaced.removed.spans).toEqual([first.span!.id]);
    const [start, end] = [site.start, site.end];
    expect(replaced.rejected).toEqual([`s:${start}:${end}:${r.label("claim")}`]);
    const gold = await r.gold();
    expect(gold.map((g) => [g.start, g.end, g.label, g.provenance?.decidedBy])).toEqual([
      [start, end, r.label("denial"), r.carl.id],
    ]);
    const after = await coraApi.get<DocumentCurationDto>(r.url);
    expect(after.sites[0]!.disagreements[0]).toMatchObject({
      resolution: "gold",
      goldSpanIds: [gold[0]!.id],
    });
    expect(after.sites[0]!.version).not.toBe(site.version);
    // the other site was not touched by any of it
    expect(after.sites[1]!.version).toBe("0");

    // a script (no `expected`) is refused beside a decided version, and may override with replace: true
    const other = after.sites[1]!;
    await coraApi.post(`${r.url}/decisions`, r.accept(other, r.a, false));
    const script = await carlApi.request("POST", `${r.url}/decisions`, r.accept(other, r.b, false));
    expect(script.status).toBe(409);
    const forced = await carlApi.post<CurationDecisionResultDto>(`${r.url}/decisions`, {
      ...r.accept(other, r.b, false),
      replace: true,
    });
    expect(forced.removed.spans).toHaveLength(1);
    expect((await r.gold()).map((g) => g.label)).toEqual([r.label("denial"), r.label("denial")]);
  });
});

describe("curation status and project progress", () => {
  const ctx = useServer();

  it("PUT status is audited; the project lists documents with open disagreements and the next one", async () => {
    const w = await world(ctx.server);
    await fourCases(w);
    const quiet = await addDocument(w.server.store, w.project.id, "Nothing to see here.", {
      assignTo: [w.a, w.b],
    });
    const url = `/api/projects/${w.project.id}/curation`;
    const before = await w.api.get<ProjectCurationDto>(url);
    expect(
      before.documents.map((d) => [d.documentId, d.status, d.annotators, d.annotatedLayers, d.open]),
    ).toEqual([
      [w.documentId, "todo", 2, 2, 3],
      [quiet.id, "todo", 2, 0, 0],
    ]);
    expect(before.nextDocumentId).toBe(w.documentId);

    const put = await w.api.json("PUT", `/api/documents/${w.documentId}/curation/status`, { status: "done" });
    expect(put).toEqual({ documentId: w.documentId, status: "done" });
    const after = await w.api.get<ProjectCurationDto>(url);
    expect(after.documents[0]!.status).toBe("done");
    expect(after.nextDocumentId).toBeNull();
    expect(after.counts).toMatchObject({ documents: 2, todo: 1, done: 1, open: 3 });
    expect((await auditRows(w)).map((r) => [r.action, r.details])).toEqual([
      ["curation.status", { from: "todo", to: "done" }],
    ]);
    const bad = await w.api.request("PUT", `/api/documents/${w.documentId}/curation/status`, {
      status: "finished",
    });
    expect(bad.status).toBe(400);
  });
});

describe("authorisation", () => {
  const ctx = useServer();

  it("curators, managers and admins curate; annotators get 403, non-members 404, strangers 401", async () => {
    const w = await world(ctx.server);
    await fourCases(w);
    const doc = `/api/documents/${w.documentId}/curation`;
    const proj = `/api/projects/${w.project.id}/curation`;
    const requests: Array<[string, string, unknown?]> = [
      ["GET", doc],
      ["POST", `${doc}/auto-merge`, {}],
      ["POST", `${doc}/decisions`, { action: "unreject", key: "s:0:1:1" }],
      ["PUT", `${doc}/status`, { status: "in_progress" }],
      ["GET", proj],
    ];
    const expected: Array<[string, ApiClient, number]> = [
      ["annotator (assigned)", clientOf(w.server, w.a), 403],
      ["annotator (not assigned)", clientOf(w.server, w.other), 404],
      ["outsider", clientOf(w.server, w.outsider), 404],
      ["nobody", new ApiClient(w.server.url), 401],
    ];
    for (const [method, path, body] of requests) {
      for (const [who, client, status] of expected) {
        // the project route does not depend on assignments: an unassigned annotator is still a member
        const want = path === proj && who === "annotator (not assigned)" ? 403 : status;
        const res = await client.request(method, path, body);
        expect([who, method, path, res.status]).toEqual([who, method, path, want]);
      }
    }
    for (const user of [w.manager, w.curator, w.admin]) {
      const client = clientOf(w.server, user);
      expect((await client.request("GET", doc)).status).toBe(200);
      expect((await client.request("GET", proj)).status).toBe(200);
    }
    // an API token works like the session
    const script = new ApiClient(w.server.url);
    script.token = w.manager.token;
    expect((await script.request("POST", `${doc}/auto-merge`)).status).toBe(200);
    expect(await goldSpans(w)).toHaveLength(1);
    // a refused request wrote nothing
    expect((await auditRows(w)).map((r) => [r.action, r.userId])).toEqual([
      ["gold.auto-merge", w.manager.id],
    ]);
  });
});

describe("live gold", () => {
  const ctx = useServer();

  it("a curator connected to the gold room sees auto-merged and accepted spans appear", async () => {
    const w = await world(ctx.server);
    await fourCases(w);
    const cookie = w.curator.cookie;
    const origin = w.server.url;
    class CookieSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie, origin } });
      }
    }
    const ydoc = new Y.Doc();
    const provider = new WebsocketProvider(`${w.server.wsUrl}/collab`, `doc/${w.documentId}/gold`, ydoc, {
      WebSocketPolyfill: CookieSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    try {
      await vi.waitFor(() => expect(provider.synced).toBe(true), { timeout: 10_000 });
      await w.api.post(`/api/documents/${w.documentId}/curation/auto-merge`);
      await vi.waitFor(() =>
        expect(listSpans(ydoc).map((s) => TEXT.slice(s.start, s.end))).toEqual(["taxes will rise"]),
      );
      const view = await w.api.get<DocumentCurationDto>(`/api/documents/${w.documentId}/curation`);
      const aVersion = view.sites[1]!.candidates.find((x) => x.labelName === "denial")!.annotators[0]!;
      await w.api.post(`/api/documents/${w.documentId}/curation/decisions`, {
        action: "accept",
        ...pick(aVersion),
      });
      await vi.waitFor(() => expect(listSpans(ydoc)).toHaveLength(2));
    } finally {
      provider.destroy();
      ydoc.destroy();
    }
  });
});

const pick = (a: { layer: string; spanId: string }) => ({ layer: a.layer, spanId: a.spanId });
