/**
 * Compare-and-set of curator decisions (docs/curation.md, "Two curators at once"). A decision carries
 * `expected`: the site's extent and version as the curator saw them. Inside the gold room's callback, in
 * the step that writes (gold.ts `goldChange`; on SQLite nothing is awaited between this check and the
 * write), the version is recomputed from the live doc; a difference is a 409 `already_decided` naming who changed the site last and when, with the
 * version now, so the client can offer "Replace" (the same decision with `replace: true` and that version).
 */
import {
  type AlreadyDecidedDetails,
  type ExpectedSite,
  extentsOverlap,
  keyExtents,
  type SiteExtent,
  type Span,
  siteGoldSpans,
  siteVersion,
} from "@gloss/shared";
import { and, desc, eq, like, or } from "drizzle-orm";
import type * as Y from "yjs";
import { type Gen, get } from "../../db/store";
import { badRequest, HttpError } from "../../errors";
import type { DecisionEnv } from "./decisionEnv";
import { readGold } from "./gold";

/** The expected extent in UTF-16 (the request may count code points). */
export function expectedExtent(env: DecisionEnv, expected: ExpectedSite): SiteExtent {
  const start = env.dto.offsets.in(expected.start, "expected.start");
  const end = env.dto.offsets.in(expected.end, "expected.end");
  if (start > end) throw badRequest("expected.start must not be after expected.end", { path: "expected" });
  return { start, end };
}

/** Throws 409 `already_decided` unless the site's live version is the expected one. */
export function* checkExpected(env: DecisionEnv, doc: Y.Doc, expected: ExpectedSite): Gen<void> {
  const extent = expectedExtent(env, expected);
  const current = siteVersion(extent, readGold(doc));
  if (current !== expected.version) throw yield* alreadyDecided(env, doc, extent);
}

/**
 * The 409 for a site someone else decided: who and when from the newest gold span provenance or
 * rejection over the extent, else from the newest gold audit row of the document.
 */
export function* alreadyDecided(env: DecisionEnv, doc: Y.Doc, extent: SiteExtent): Gen<HttpError> {
  const gold = readGold(doc);
  const spans = siteGoldSpans(extent, gold.spans);
  let who: { userId: number | null; at: number; autoMerge: boolean } | null = null;
  const consider = (userId: number | null, at: number, autoMerge = false) => {
    if (!who || at > who.at) who = { userId, at, autoMerge };
  };
  for (const s of spans) {
    const p = s.provenance;
    if (p) consider(p.decidedBy, p.decidedAt, p.via === "auto-merge");
    else consider(s.author, s.updatedAt ?? s.createdAt);
  }
  for (const r of gold.rejectedEntries)
    if (keyExtents(r.key).some((e) => extentsOverlap(e, extent))) consider(r.by, r.at);
  if (!who) {
    const row = yield* latestGoldAudit(env);
    if (row) consider(row.userId, row.at, row.action === "gold.auto-merge");
  }
  const found = who as { userId: number | null; at: number; autoMerge: boolean } | null;
  const by = found?.autoMerge
    ? "auto-merge"
    : found?.userId != null
      ? yield* userName(env, found.userId)
      : "someone";
  const details: AlreadyDecidedDetails = {
    by,
    byId: found?.userId ?? null,
    at: found?.at ?? null,
    current: siteVersion(extent, gold),
    goldSpanIds: spans.map((s) => s.id),
  };
  const when = found ? ` at ${new Date(found.at).toISOString()}` : "";
  return new HttpError(409, "already_decided", `Already decided by ${by}${when} — replace?`, details);
}

/**
 * The gold spans a new version competes with: versions of it, or spans over mostly the same text
 * (`answers`), other than itself. A decision without `expected` is refused while one of them stands
 * (unless it names it in `replaces` or says `replace: true`).
 */
export function competingSpans(
  spans: readonly Span[],
  version: { start: number; end: number; label: number },
  answers: (gold: Span, c: { start: number; end: number; label: number }) => boolean,
): Span[] {
  return spans.filter(
    (g) =>
      !(g.start === version.start && g.end === version.end && g.label === version.label) &&
      extentsOverlap(g, version) &&
      answers(g, version),
  );
}

function* userName(env: DecisionEnv, userId: number): Gen<string> {
  const { users } = env.store.t;
  const u = yield* get(
    env.store.q
      .select({ username: users.username, displayName: users.displayName })
      .from(users)
      .where(eq(users.id, userId)),
  );
  return u ? u.displayName || u.username : `user ${userId}`;
}

function* latestGoldAudit(env: DecisionEnv) {
  const { auditLog } = env.store.t;
  const target = `document:${env.access.document.id}`;
  return (
    (yield* get(
      env.store.q
        .select({ userId: auditLog.userId, at: auditLog.at, action: auditLog.action })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.projectId, env.access.project.id),
            like(auditLog.action, "gold.%"),
            or(eq(auditLog.target, target), like(auditLog.target, `${target}/%`)),
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(1),
    )) ?? null
  );
}
