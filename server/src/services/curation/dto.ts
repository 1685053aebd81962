/**
 * Response shapes of the curation API: offsets converted to the caller's unit (code points unless
 * `?offsets=utf16`), every span with its covered `text` and label name.
 */
import {
  type CandidateDto,
  type CurationAlignment,
  type CurationSpanDto,
  type DisagreementDto,
  type GoldState,
  OffsetMap,
  type OffsetUnit,
  type RelationCandidate,
  type SiteDto,
  type Span,
  type SpanCandidate,
  siteVersion,
} from "@gloss/shared";
import { badRequest } from "../../errors";

/** Converts offsets between the layer's UTF-16 units and the caller's unit, for one document. */
export class Offsets {
  private readonly map: OffsetMap;
  constructor(
    readonly text: string,
    readonly unit: OffsetUnit,
  ) {
    this.map = new OffsetMap(text);
  }
  /** UTF-16 → the caller's unit. */
  out(utf16: number): number {
    return this.unit === "utf16" ? utf16 : this.map.toCodePoint(utf16);
  }
  /** The caller's unit → UTF-16; a 400 naming the field when out of range. */
  in(value: number, field: string): number {
    if (this.unit === "utf16") return value;
    try {
      return this.map.toUtf16(value);
    } catch (e) {
      throw badRequest(`${field}: ${(e as Error).message}`, { path: field });
    }
  }
  /** Length in the caller's unit. */
  get length(): number {
    return this.unit === "utf16" ? this.map.utf16Length : this.map.codePointLength;
  }
  slice(start: number, end: number): string {
    return this.text.slice(start, end);
  }
}

export interface DtoContext {
  offsets: Offsets;
  labels: Map<number, string>;
}

const labelName = (ctx: DtoContext, id: number) => ctx.labels.get(id) ?? `(deleted label ${id})`;

/** A gold span (UTF-16 inside) as the API returns it. */
export function spanDto(ctx: DtoContext, s: Span): CurationSpanDto {
  return {
    id: s.id,
    start: ctx.offsets.out(s.start),
    end: ctx.offsets.out(s.end),
    label: s.label,
    labelName: labelName(ctx, s.label),
    text: ctx.offsets.slice(s.start, s.end),
    author: s.author,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt ?? null,
    note: s.note ?? null,
    provenance: s.provenance ?? null,
  };
}

export { relationDto } from "@gloss/shared";

function candidateDto(ctx: DtoContext, c: SpanCandidate): CandidateDto {
  return {
    key: c.key,
    start: ctx.offsets.out(c.start),
    end: ctx.offsets.out(c.end),
    label: c.label,
    labelName: labelName(ctx, c.label),
    text: ctx.offsets.slice(c.start, c.end),
    annotators: c.supporters.map((s) => ({ userId: s.userId, layer: s.layer, spanId: s.id })),
    support: c.support,
    unanimous: c.unanimous,
    agreed: c.agreed,
    goldSpanIds: c.goldSpanIds,
    rejected: c.rejected,
  };
}

/** Sites with their candidates, disagreements and version (what gold holds over them). */
export function sitesDto(ctx: DtoContext, al: CurationAlignment, gold: GoldState): SiteDto[] {
  return al.sites.map((site) => ({
    start: ctx.offsets.out(site.start),
    end: ctx.offsets.out(site.end),
    text: ctx.offsets.slice(site.start, site.end),
    version: siteVersion(site, gold),
    candidates: site.candidates.map((c) => candidateDto(ctx, c)),
    disagreements: site.disagreements.map(
      (d): DisagreementDto => ({
        ...d,
        start: ctx.offsets.out(d.start),
        end: ctx.offsets.out(d.end),
        text: ctx.offsets.slice(d.start, d.end),
      }),
    ),
  }));
}

/** Annotator relations aligned across layers; ends named by candidate keys. */
export const relationCandidatesDto = (al: CurationAlignment) =>
  al.relations.map((r: RelationCandidate) => ({
    key: r.key,
    from: `s:${r.from}`,
    to: `s:${r.to}`,
    type: r.type,
    annotators: r.supporters.map((s) => ({ userId: s.userId, layer: s.layer, relationId: s.id })),
    support: r.support,
    unanimous: r.unanimous,
    agreed: r.agreed,
    goldRelationIds: r.goldRelationIds,
    rejected: r.rejected,
  }));
