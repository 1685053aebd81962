/** `gloss rebuild-projection`: recompute the queryable projection from the Yjs store (the source of truth). */
import { SqliteLayerStore } from "../collab/persistence";
import { rebuildProjection } from "../collab/rebuild";
import { TimerRegistry } from "../collab/timers";
import { HttpError } from "../errors";
import { positionals, runDbCommand, UsageError } from "./args";
import type { Command } from "./commands";

const USAGE = "rebuild-projection [--project N]";

export const rebuildCommands: Command[] = [
  {
    name: "rebuild-projection",
    usage: USAGE,
    summary: "rebuild annotations, relations and layer states from the stored layers",
    run: (args) =>
      runDbCommand(USAGE, args, { project: { type: "string" } }, (db, parsed) => {
        positionals(parsed, []);
        const raw = parsed.values.project;
        let projectId: number | undefined;
        if (raw !== undefined) {
          if (typeof raw !== "string" || !/^[1-9][0-9]{0,15}$/.test(raw))
            throw new UsageError("--project needs a project id");
          projectId = Number(raw);
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
      }),
  },
];
