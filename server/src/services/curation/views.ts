/**
 * The read side of curation for one document: its aligned layers (GET /documents/:id/curation). A project's
 * progress is summaries.ts.
 */
import { alignLayers, type DocumentCurationDto, type MergeOptions, requiredSupport } from "@gloss/shared";
import type { DocumentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { type DtoContext, relationCandidatesDto, relationDto, sitesDto, spanDto } from "./dto";
import { readGold } from "./gold";
import { loadAnnotatorLayers } from "./projection";
import { changedAfterCuration, curationStatus } from "./status";

/**
 * Everything a curator needs for one document: annotators, aligned sites with their disagreements,
 * gold (live), the rejected keys, status and counts.
 */
export async function documentCuration(
  deps: Deps,
  access: DocumentAccess,
  dto: DtoContext,
  opts: MergeOptions,
): Promise<DocumentCurationDto> {
  const d = access.document;
  const { layers, info } = loadAnnotatorLayers(deps.db, [d.id]).get(d.id) ?? { layers: [], info: [] };
  const gold = await deps.collab.withDoc(d.id, "gold", readGold);
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
    status: curationStatus(deps.db, d.id),
    changedAfterCuration: changedAfterCuration(deps.db, [d.id]).has(d.id),
    counts: al.counts,
  };
}
