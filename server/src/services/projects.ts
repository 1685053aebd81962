/** Projects: creation (API and CLI), settings, and the DTO with labels and progress figures. */
import {
  type CreateProjectBody,
  DEFAULT_RELATION_TYPES,
  humanMessage,
  type ListProjectsQuery,
  type PatchProjectBody,
  type ProjectDto,
  type ProjectListDto,
  type ProjectRole,
  RelationTypes,
  type UserDto,
} from "@gloss/shared";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { ProjectRow } from "../auth/access";
import type { projects } from "../db/schema";
import { all, containsText, type Gen, get, inIds, run, type Store, transaction } from "../db/store";
import { badRequest } from "../errors";
import { recordAudit } from "./audit";
import { insertLabels, type LabelRow, listLabels, resolveInitialLabels, toLabelDto } from "./labels";

export type ProjectStats = NonNullable<ProjectDto["stats"]>;

/** The RelationTypes schema's verdict; a 400 in words ("'a' appears twice among the relation types"). */
function checkRelationTypes(types: string[], field: string): RelationTypes {
  const parsed = RelationTypes.safeParse(types);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = [field, ...issue.path];
  throw badRequest(humanMessage({ ...issue, path }), { path: path.join(".") });
}

/** Creates a project with its labels; the creator becomes its manager. One transaction. */
export function* createProject(_store: Store, ownerId: number, body: CreateProjectBody): Gen<ProjectRow> {
  const labelDefs = resolveInitialLabels(body.labels);
  const relationTypes = checkRelationTypes(body.relationTypes ?? DEFAULT_RELATION_TYPES, "relationTypes");
  return yield* transaction(function* (tx) {
    const { projectMembers, projects } = tx.t;
    const project = (yield* get(
      tx.q
        .insert(projects)
        .values({
          name: body.name,
          description: body.description ?? "",
          mode: body.mode ?? "independent",
          annotatorsPerDocument: body.annotatorsPerDocument ?? 2,
          snapping: body.snapping ?? "word",
          relationTypes,
          createdBy: ownerId,
        })
        .returning(),
    ))!;
    yield* insertLabels(tx, project.id, labelDefs);
    yield* run(
      tx.q.insert(projectMembers).values({ projectId: project.id, userId: ownerId, role: "manager" }),
    );
    yield* recordAudit(tx, {
      userId: ownerId,
      projectId: project.id,
      action: "project.create",
      target: `project:${project.id}`,
      details: { name: project.name, mode: project.mode, labels: labelDefs.map((l) => l.name) },
    });
    return project;
  });
}

/** Applies a settings patch (manager); returns the updated row. */
export function* updateProject(
  _store: Store,
  actorId: number,
  project: ProjectRow,
  patch: PatchProjectBody,
): Gen<ProjectRow> {
  const { relationTypes, ...rest } = patch;
  const values: Partial<typeof projects.$inferInsert> = { ...rest };
  if (relationTypes) values.relationTypes = checkRelationTypes(relationTypes, "relationTypes");
  if (!Object.keys(values).length) return project; // nothing to change, nothing to audit
  return yield* transaction(function* (tx) {
    const { projects } = tx.t;
    const row = (yield* get(
      tx.q.update(projects).set(values).where(eq(projects.id, project.id)).returning(),
    ))!;
    const before: Record<string, unknown> = {};
    for (const k of Object.keys(patch)) before[k] = project[k as keyof ProjectRow];
    yield* recordAudit(tx, {
      userId: actorId,
      projectId: project.id,
      action: "project.update",
      target: `project:${project.id}`,
      details: { before, patch },
    });
    return row;
  });
}

/** Progress figures per project: documents, assignments, assignments done, documents curated (gold done). */
export function* projectStats(store: Store, ids: number[]): Gen<Map<number, ProjectStats>> {
  const { assignments, curations, documents } = store.t;
  const out = new Map<number, ProjectStats>(
    ids.map((id) => [id, { documents: 0, assignments: 0, done: 0, curated: 0 }]),
  );
  if (!ids.length) return out;
  const ofProjects = inIds(store, documents.projectId, ids);
  for (const r of yield* all(
    store.q
      .select({ p: documents.projectId, n: count() })
      .from(documents)
      .where(ofProjects)
      .groupBy(documents.projectId),
  ))
    out.get(r.p)!.documents = r.n;
  for (const r of yield* all(
    store.q
      .select({
        p: documents.projectId,
        n: count(),
        // a CASE, not sum(status = 'done'): PostgreSQL has no sum of booleans; its sum is a bigint (a string)
        done: sql<number>`coalesce(sum(case when ${assignments.status} = 'done' then 1 else 0 end), 0)`.mapWith(
          Number,
        ),
      })
      .from(assignments)
      .innerJoin(documents, eq(documents.id, assignments.documentId))
      .where(ofProjects)
      .groupBy(documents.projectId),
  )) {
    const s = out.get(r.p)!;
    s.assignments = r.n;
    s.done = r.done;
  }
  for (const r of yield* all(
    store.q
      .select({ p: documents.projectId, n: count() })
      .from(curations)
      .innerJoin(documents, eq(documents.id, curations.documentId))
      .where(and(ofProjects, eq(curations.status, "done")))
      .groupBy(documents.projectId),
  ))
    out.get(r.p)!.curated = r.n;
  return out;
}

/** The project as the API shows it to a caller with `role` ("admin" shows as null: not a member). */
export function toProjectDto(
  project: ProjectRow,
  role: ProjectRole | null,
  labelRows: LabelRow[],
  stats?: ProjectStats,
): ProjectDto {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    mode: project.mode,
    annotatorsPerDocument: project.annotatorsPerDocument,
    snapping: project.snapping,
    relationTypes: project.relationTypes,
    createdAt: project.createdAt,
    role: role === "admin" ? null : role,
    labels: labelRows.map(toLabelDto),
    ...(stats ? { stats } : {}),
  };
}

/** One project's full DTO (labels and stats). */
export function* projectDto(store: Store, project: ProjectRow, role: ProjectRole | null): Gen<ProjectDto> {
  return toProjectDto(
    project,
    role,
    yield* listLabels(store, project.id),
    (yield* projectStats(store, [project.id])).get(project.id),
  );
}

/** The projects a user belongs to (an instance admin: every project), newest first. */
export function* listProjectsFor(store: Store, user: UserDto, query: ListProjectsQuery): Gen<ProjectListDto> {
  const { labels: labelsTable, projectMembers, projects } = store.t;
  const named = query.q ? containsText(store, projects.name, query.q) : undefined;
  const base = user.isAdmin
    ? store.q
        .select({ project: projects, role: projectMembers.role })
        .from(projects)
        .leftJoin(
          projectMembers,
          and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, user.id)),
        )
        .where(named)
    : store.q
        .select({ project: projects, role: projectMembers.role })
        .from(projectMembers)
        .innerJoin(projects, eq(projects.id, projectMembers.projectId))
        .where(and(eq(projectMembers.userId, user.id), named));
  const total = user.isAdmin
    ? (yield* get(store.q.select({ n: count() }).from(projects).where(named)))!.n
    : (yield* get(
        store.q
          .select({ n: count() })
          .from(projectMembers)
          .innerJoin(projects, eq(projects.id, projectMembers.projectId))
          .where(and(eq(projectMembers.userId, user.id), named)),
      ))!.n;
  const rows = yield* all(base.orderBy(desc(projects.id)).limit(query.limit).offset(query.offset));
  const ids = rows.map((r) => r.project.id);
  const stats = yield* projectStats(store, ids);
  const labelsByProject = new Map<number, LabelRow[]>(ids.map((id) => [id, []]));
  if (ids.length) {
    for (const l of yield* all(
      store.q
        .select()
        .from(labelsTable)
        .where(inIds(store, labelsTable.projectId, ids))
        .orderBy(asc(labelsTable.order), asc(labelsTable.id)),
    ))
      labelsByProject.get(l.projectId)!.push(l);
  }
  return {
    projects: rows.map((r) =>
      toProjectDto(r.project, r.role, labelsByProject.get(r.project.id)!, stats.get(r.project.id)),
    ),
    total,
  };
}
