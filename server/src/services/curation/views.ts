/**
 * The read side of curation: one document's aligned layers (GET /documents/:id/curation) and a project's
 * curation progress (GET /projects/:id/curation).
 */
import {
  alignLayers,
  type DocumentCurationDto,
  type MergeOptions,
  type ProjectCurationDocumentDto,
  type ProjectCurationDto,
  requiredSupport,
  type Span,
} from "@gloss/shared";
import { and, asc, eq } from "drizzle-orm";
import type { DocumentAccess, ProjectAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { spanOfRow } from "../../db/rows";
import { annotations, documents } from "../../db/schema";
import { type DtoContext, relationCandidatesDto, relationDto, sitesDto, spanDto } from "./dto";
import { readGold } from "./gold";
import { loadAnnotatorLayers } from "./projection";
import { changedAfterCuration, curationStatus, curationStatuses } from "./status";

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

/**
 * Curation progress of every document of a project. Annotator layers and gold spans come from the
 * projection (after a flush); only documents that still show open disagreements there have their live
 * gold loaded, to read the rejected keys that settle some of them.
 */
export async function projectCuration(deps: Deps, access: ProjectAccess): Promise<ProjectCurationDto> {
  const db = deps.db;
  const docs = db
    .select({ id: documents.id, name: documents.name })
    .from(documents)
    .where(eq(documents.projectId, access.project.id))
    .orderBy(asc(documents.id))
    .all();
  const ids = docs.map((d) => d.id);
  const layersByDoc = loadAnnotatorLayers(db, ids);
  const statuses = curationStatuses(db, ids);
  const changed = changedAfterCuration(db, ids);
  const goldByDoc = new Map<number, Span[]>();
  const goldRows = db
    .select()
    .from(annotations)
    .where(and(eq(annotations.projectId, access.project.id), eq(annotations.layer, "gold")))
    .all();
  for (const r of goldRows) {
    const list = goldByDoc.get(r.documentId) ?? [];
    list.push(spanOfRow(r));
    goldByDoc.set(r.documentId, list);
  }

  const out: ProjectCurationDocumentDto[] = [];
  for (const d of docs) {
    const layers = layersByDoc.get(d.id)?.layers ?? [];
    let goldSpans = goldByDoc.get(d.id) ?? [];
    let al = alignLayers(layers, { spans: goldSpans });
    if (al.counts.open > 0) {
      const live = await deps.collab.withDoc(d.id, "gold", readGold);
      goldSpans = live.spans;
      al = alignLayers(layers, live);
    }
    out.push({
      documentId: d.id,
      name: d.name,
      status: statuses.get(d.id) ?? "todo",
      annotators: layers.length,
      annotatedLayers: layers.filter((l) => l.spans.length > 0).length,
      disagreements: al.counts.disagreements,
      open: al.counts.open,
      goldSpans: goldSpans.length,
      changedAfterCuration: changed.has(d.id),
    });
  }
  const count = (s: string) => out.filter((d) => d.status === s).length;
  return {
    documents: out,
    nextDocumentId: out.find((d) => d.open > 0 && d.status !== "done")?.documentId ?? null,
    counts: {
      documents: out.length,
      todo: count("todo"),
      in_progress: count("in_progress"),
      done: count("done"),
      open: out.reduce((n, d) => n + d.open, 0),
    },
  };
}
