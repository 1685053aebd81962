/**
 * Adjudication routes (issue 5), for curators, managers and admins only (annotators 403, non-members 404):
 *   GET  /documents/:id/curation               aligned layers, disagreements, gold, status, counts
 *   POST /documents/:id/curation/auto-merge    agreed spans → gold (idempotent)
 *   POST /documents/:id/curation/decisions     accept | edit | reject | unreject | remove | accept-relation | remove-relation
 *   PUT  /documents/:id/curation/status        todo | in_progress | done
 *   GET  /projects/:id/curation                per-document progress and the next document to curate
 * Offsets are code points unless `?offsets=utf16`. The rules are in services/curation/ (docs/curation.md
 * describes them); these handlers only parse input, call them and answer.
 */
import {
  AutoMergeBody,
  type AutoMergeResultDto,
  CurationDecisionBody,
  type CurationDecisionResultDto,
  CurationStatusBody,
  canCurate,
  type DocumentCurationDto,
  type ProjectCurationDto,
} from "@gloss/shared";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { type DocumentAccess, documentAccess, type ProjectAccess, projectAccess } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { forbidden } from "../../errors";
import {
  applyDecision,
  autoMerge,
  changeCurationStatus,
  type DtoContext,
  documentCuration,
  labelNames,
  Offsets,
  projectCuration,
} from "../../services/curation";
import { offsetsParam } from "./dto";

const CurationQuery = z.object({
  threshold: z.coerce.number().int().min(1).max(1000).optional(),
  minAnnotators: z.coerce.number().int().min(1).max(1000).optional(),
});

/** A numeric path parameter (digits only); anything else reads as NaN, which access reports as 404. */
function idParam(c: Context, name: string): number {
  const raw = c.req.param(name) ?? "";
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
}

const CURATORS_ONLY = "Curation is for the project's curators and managers";

/** The document, if the caller may curate it. */
function curatorDocument(deps: Deps, c: Context<AppEnv>): DocumentAccess {
  const access = documentAccess(deps.db, c.get("user"), idParam(c, "id"));
  if (!canCurate(access.role)) throw forbidden(CURATORS_ONLY);
  return access;
}

function curatorProject(deps: Deps, c: Context<AppEnv>): ProjectAccess {
  const access = projectAccess(deps.db, c.get("user"), idParam(c, "id"));
  if (!canCurate(access.role)) throw forbidden(CURATORS_ONLY);
  return access;
}

const dtoContext = (deps: Deps, access: DocumentAccess, c: Context): DtoContext => ({
  offsets: new Offsets(access.document.text, offsetsParam(c)),
  labels: labelNames(deps.db, access.project.id),
});

/** An optional JSON body: empty means `{}`. */
async function optionalJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  return text.trim() === "" ? {} : JSON.parse(text);
}

/** Routes under /api (full paths). */
export function curationRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/documents/:id/curation", async (c) => {
    const access = curatorDocument(deps, c);
    const opts = CurationQuery.parse(c.req.query());
    const body: DocumentCurationDto = await documentCuration(deps, access, dtoContext(deps, access, c), opts);
    return c.json(body);
  });

  app.post("/documents/:id/curation/auto-merge", async (c) => {
    const access = curatorDocument(deps, c);
    const body = AutoMergeBody.parse(await optionalJson(c));
    const result: AutoMergeResultDto = await autoMerge(deps, access, body, dtoContext(deps, access, c));
    deps.log.info("auto-merge", {
      documentId: access.document.id,
      by: access.user.id,
      spans: result.added.spans.length,
      relations: result.added.relations.length,
    });
    return c.json(result);
  });

  app.post("/documents/:id/curation/decisions", async (c) => {
    const access = curatorDocument(deps, c);
    const body = CurationDecisionBody.parse(await c.req.json());
    const result: CurationDecisionResultDto = await applyDecision(
      deps,
      access,
      dtoContext(deps, access, c),
      body,
    );
    return c.json(result);
  });

  app.put("/documents/:id/curation/status", async (c) => {
    const access = curatorDocument(deps, c);
    const { status } = CurationStatusBody.parse(await c.req.json());
    changeCurationStatus(deps, access, status);
    return c.json({ documentId: access.document.id, status });
  });

  app.get("/projects/:id/curation", async (c) => {
    const access = curatorProject(deps, c);
    const body: ProjectCurationDto = await projectCuration(deps, access);
    return c.json(body);
  });

  return app;
}
