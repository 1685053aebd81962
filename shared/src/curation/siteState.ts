/**
 * A site's decision state, for compare-and-set (docs/curation.md, "Two curators at once"): what gold
 * holds over a site's extent — the gold spans overlapping it (id and signature) and the rejected span or
 * disagreement keys whose versions overlap it — folded into one short opaque string. The view sends it
 * with every site; a decision echoes it back in `expected`, and the server recomputes it from the live
 * gold doc before writing: any difference means someone decided there in between.
 *
 * Offsets are UTF-16 (as in the layers). Relations and relation keys (`r:`) do not count.
 */
import { extentsOverlap, spanSignature } from "./keys";
import type { CurationSpan } from "./types";

/** The version of a site where gold holds nothing and nothing is rejected. */
export const UNDECIDED_SITE = "0";

export interface SiteExtent {
  start: number;
  end: number;
}

/** The extents a rejected-map key names: one for `s:`, one per version for `d:`, none otherwise. */
export function keyExtents(key: string): SiteExtent[] {
  let sigs: string[];
  if (key.startsWith("s:")) sigs = [key.slice(2)];
  else if (key.startsWith("d:")) sigs = key.slice(2).split("|");
  else return [];
  const out: SiteExtent[] = [];
  for (const sig of sigs) {
    const m = /^(\d+):(\d+):-?\d+$/.exec(sig);
    if (m) out.push({ start: Number(m[1]), end: Number(m[2]) });
  }
  return out;
}

/** The gold spans overlapping a site, in reading order. */
export function siteGoldSpans<S extends CurationSpan>(extent: SiteExtent, spans: readonly S[]): S[] {
  return spans
    .filter((s) => extentsOverlap(s, extent))
    .sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The rejected keys (span and disagreement keys) whose versions overlap a site, sorted. */
export function siteRejectedKeys(extent: SiteExtent, rejected: Iterable<string>): string[] {
  const out: string[] = [];
  for (const k of rejected) if (keyExtents(k).some((e) => extentsOverlap(e, extent))) out.push(k);
  return out.sort();
}

/**
 * The site's version: `UNDECIDED_SITE` when gold holds nothing over it, else a hash of its gold spans
 * (id = signature) and rejected keys. The one function the view and the decision check both use.
 */
export function siteVersion(
  extent: SiteExtent,
  gold: { spans: readonly CurationSpan[]; rejected?: Iterable<string> },
): string {
  const spans = siteGoldSpans(extent, gold.spans).map((s) => `${s.id}=${spanSignature(s)}`);
  const rejected = siteRejectedKeys(extent, gold.rejected ?? []);
  if (spans.length === 0 && rejected.length === 0) return UNDECIDED_SITE;
  return `v${hash(`${spans.join(",")};${rejected.join(",")}`)}`;
}

/** A 53-bit string hash (cyrb53) in base 36: the same in the browser and on the server. */
function hash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
