/**
 * The read side of curation for one document: its aligned layers (GET /documents/:id/curation). A project's
 * progress is summaries.ts.
 */
import { alignLayers, type DocumentCurationDto, type MergeOptions, requiredSupport } from "@gloss/shared";
import type { DocumentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { call, type Gen, type Store } from "../../db/store";
import { type DtoContext, relationCandidatesDto, relationDto, sitesDto, spanDto } from "./dto";
import { readGold } from "./gold";
import { annotatorLayers } from "./projection";
import { curationStatus, documentsChangedAfterCuration } from "./status";

/** A document's curation status, and whether its annotator layers changed after it was set. */
export function* statusOf(
  store: Store,
  documentId: number,
): Gen<Pick<DocumentCurationDto, "status" | "changedAfterCuration">> {
  return {
    status: yield* curationStatus(store, documentId),
    changedAfterCuration: (yield* documentsChangedAfterCuration(store, [documentId])).has(documentId),
  };
}

/**
 * Everything a curator needs for one document: annotators, aligned sites with their disagreements,
 * gold (live), the rejected keys, status and counts.
 */
export async function documentCuration(
  store: Store,
  deps: Pick<Deps, "collab">,
  access: DocumentAccess,
  dto: DtoContext,
  opts: MergeOptions,
): Promise<DocumentCurationDto> {
  const d = access.document;
  const { layers, info } = (await call(store, annotatorLayers, [d.id])).get(d.id) ?? { layers: [], info: [] };
  const gold = await deps.collab.withDoc(d.id, "gold", readGold);
  // read after gold, as before: a decision that landed while the room loaded shows in both
  const { status, changedAfterCuration } = await call(store, statusOf, d.id);
  const threshold = requiredSupport(layers.length, opts);
  const al = alignLayers(layers, gold, { threshold });
  return {
    document: { id: d.id, projectId: d.projectId, name: d.name, length: dto.offsets.length },
    offsets: dto.offsets.unit,
    threshold,
    annotators: info,
    sites: sitesDto(dto, al, gold),
    relations: relationCandidatesDto(al),
    gold: { spans: gold.spans.map((s) => spanDto(dto, s)), relations: gold.relations.map(relationDto) },
    rejected: gold.rejectedEntries,
    status,
    changedAfterCuration,
    counts: al.counts,
  };
}
