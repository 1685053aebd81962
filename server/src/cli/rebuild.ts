/** `gloss rebuild-projection`: recompute the queryable projection from the Yjs store (the source of truth). */
import { Command } from "commander";
import { SqliteLayerStore } from "../collab/persistence";
import { rebuildProjection } from "../collab/rebuild";
import { TimerRegistry } from "../collab/timers";
import { HttpError } from "../errors";
import { positiveId, withDb } from "./common";

function rebuild(opts: { project?: number }): Promise<void> {
  const projectId = opts.project;
  return withDb((db) => {
    if (projectId !== undefined) {
      const found = db.$client.prepare("SELECT 1 FROM projects WHERE id = ?").get(projectId);
      if (!found) throw new HttpError(404, "project_not_found", `No project ${projectId}`);
    }
    // Read-only use of the store: nothing is appended, so no timer is ever scheduled.
    const store = new SqliteLayerStore(db.$client, new TimerRegistry());
    const counts = rebuildProjection(db.$client, store, { projectId });
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
