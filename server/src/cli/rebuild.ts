/** `gloss rebuild-projection`: recompute the queryable projection from the Yjs store (the source of truth). */
import { Command } from "commander";
import { eq } from "drizzle-orm";
import { SqliteLayerStore } from "../collab/persistence";
import { PgLayerStore } from "../collab/pgPersistence";
import { rebuildProjection, rebuildProjectionPg } from "../collab/rebuild";
import { TimerRegistry } from "../collab/timers";
import { call, get } from "../db/store";
import { HttpError } from "../errors";
import { positiveId, withStore } from "./common";

function rebuild(opts: { project?: number }): Promise<void> {
  const projectId = opts.project;
  return withStore(async (store) => {
    if (projectId !== undefined) {
      const found = await call(store, function* (s) {
        const { projects } = s.t;
        return yield* get(s.q.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)));
      });
      if (!found) throw new HttpError(404, "project_not_found", `No project ${projectId}`);
    }
    // Read-only use of the layer store: nothing is appended, so no timer is ever scheduled.
    const timers = new TimerRegistry();
    const counts =
      store.dialect === "pg"
        ? await rebuildProjectionPg(store.pool, new PgLayerStore(store.pool, timers), { projectId })
        : rebuildProjection(store.sqlite, new SqliteLayerStore(store.sqlite, timers), { projectId });
    const scope = projectId === undefined ? "all projects" : `project ${projectId}`;
    process.stdout.write(
      `Rebuilt the projection of ${scope} from ${counts.rooms} stored layer${counts.rooms === 1 ? "" : "s"}:\n` +
        `  annotations  ${counts.annotations}\n` +
        `  relations    ${counts.relations}\n` +
        `  layer states ${counts.layerStates}\n`,
    );
  });
}

/** The `rebuild-projection` command. */
export const rebuildCommand = () =>
  new Command("rebuild-projection")
    .description("rebuild annotations, relations and layer states from the stored layers")
    .option("--project <id>", "only this project (default: all)", positiveId)
    .action(rebuild);
