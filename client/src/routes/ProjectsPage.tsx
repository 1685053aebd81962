/** The user's projects with their role and progress, and a form to create one. */
import { type CreateProjectBody, DEFAULT_LABELS, type ProjectDto, type ProjectMode } from "@gloss/shared";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useCreateProject } from "../api/mutations";
import { useProjectsQuery } from "../api/queries";
import { SearchField } from "../components/Filters";
import { MutationError } from "../components/MutationStatus";
import { Pager } from "../components/Pager";
import { ProgressBar } from "../components/ProgressBar";
import { QueryView } from "../components/QueryView";
import { useDebounced } from "../components/useDebounced";
import { usePageTitle } from "../components/usePageTitle";

const PAGE = 50;

const ROLE_TEXT: Record<string, string> = { manager: "Manager", curator: "Curator", annotator: "Annotator" };

/** The projects page. */
export function ProjectsPage() {
  usePageTitle("Projects");
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q.trim(), 250);
  const projects = useProjectsQuery({ q: search || undefined, limit: PAGE, offset });

  return (
    <div className="page">
      <h1>Projects</h1>
      <QueryView query={projects} errorTitle="Could not load projects">
        {({ projects: list, total }) => (
          <>
            {/* a search box once there is something to search */}
            {total > PAGE || q !== "" ? (
              <search className="row wrap" aria-label="Search your projects">
                <SearchField
                  value={q}
                  onChange={(v) => {
                    setQ(v);
                    setOffset(0);
                  }}
                />
              </search>
            ) : null}
            {list.length === 0 ? (
              <p className="g-empty">
                {search
                  ? "No project matches."
                  : "No projects yet. Create one below, or ask a manager to add you to theirs."}
              </p>
            ) : (
              <ul className="project-list">
                {list.map((p) => (
                  <ProjectCard key={p.id} project={p} />
                ))}
              </ul>
            )}
            <Pager
              of="projects"
              offset={offset}
              limit={PAGE}
              shown={list.length}
              total={total}
              onOffset={setOffset}
            />
          </>
        )}
      </QueryView>
      <CreateProjectForm />
    </div>
  );
}

function ProjectCard({ project: p }: { project: ProjectDto }) {
  const stats = p.stats;
  return (
    <li className="card">
      <h2>
        <Link to="/projects/$projectId" params={{ projectId: p.id }} className="project-title-link">
          {p.name}
        </Link>
      </h2>
      <p className="meta">
        <span>{p.role ? ROLE_TEXT[p.role] : "Administrator"}</span>
        <span>{p.mode === "shared" ? "Shared layer" : "Independent layers"}</span>
        {stats ? <span>{stats.documents === 1 ? "1 document" : `${stats.documents} documents`}</span> : null}
      </p>
      {p.description ? <p>{p.description}</p> : null}
      {stats ? (
        <ProgressBar done={stats.done} total={stats.assignments} label={`Progress of ${p.name}`} />
      ) : null}
    </li>
  );
}

/** Parses "one label per line" into names (blank lines dropped, duplicates kept for the server to refuse). */
export function parseLabelLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

function CreateProjectForm() {
  const create = useCreateProject();
  const navigate = useNavigate();
  const [labelChoice, setLabelChoice] = useState<"default" | "custom">("default");

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body: CreateProjectBody = {
      name: String(form.get("name") ?? ""),
      mode: String(form.get("mode")) as ProjectMode,
    };
    const description = String(form.get("description") ?? "").trim();
    if (description) body.description = description;
    if (labelChoice === "custom") {
      body.labels = parseLabelLines(String(form.get("labels") ?? "")).map((name) => ({ name }));
    }
    create.mutate(body, {
      onSuccess: (created) =>
        void navigate({ to: "/projects/$projectId/settings", params: { projectId: created.id } }),
    });
  };
  // still busy once created, until the settings page replaces this one
  const busy = create.isPending || create.isSuccess;

  return (
    <section className="panel" aria-labelledby="new-project">
      <h2 id="new-project">New project</h2>
      <form onSubmit={onSubmit} className="stack">
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          <span>
            Description <span className="muted">(optional)</span>
          </span>
          <textarea name="description" rows={2} maxLength={5000} />
        </label>
        <fieldset>
          <legend>Mode</legend>
          <label className="inline">
            <input type="radio" name="mode" value="independent" defaultChecked /> Independent — each annotator
            works blind in their own layer
          </label>
          <label className="inline">
            <input type="radio" name="mode" value="shared" /> Shared — one layer for the whole team
          </label>
        </fieldset>
        <fieldset>
          <legend>Labels</legend>
          <label className="inline">
            <input
              type="radio"
              name="labelChoice"
              checked={labelChoice === "default"}
              onChange={() => setLabelChoice("default")}
            />{" "}
            Default set: {DEFAULT_LABELS.map((l) => l.name).join(", ")}
          </label>
          <label className="inline">
            <input
              type="radio"
              name="labelChoice"
              checked={labelChoice === "custom"}
              onChange={() => setLabelChoice("custom")}
            />{" "}
            My own labels
          </label>
          {labelChoice === "custom" ? (
            <label>
              One label per line (colours and hotkeys can be changed in the settings)
              <textarea name="labels" rows={4} required />
            </label>
          ) : null}
        </fieldset>
        <MutationError mutation={create} />
        <div>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Creating…" : "Create project"}
          </button>
        </div>
      </form>
    </section>
  );
}
